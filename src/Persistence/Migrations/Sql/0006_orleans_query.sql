-- The Orleans ADO.NET providers issue no SQL of their own: at start-up they read every statement they
-- need from this table by key (SELECT QueryKey, QueryText FROM OrleansQuery) and bind named parameters
-- (@DeploymentId, @Version, ...) into it. Table and column names are therefore part of their contract.
-- IF NOT EXISTS lets a database prepared by hand with the Orleans reference scripts be adopted as it is.
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64)   NOT NULL,
    QueryText varchar(8000) NOT NULL,

    CONSTRAINT OrleansQuery_Key PRIMARY KEY (QueryKey)
);
