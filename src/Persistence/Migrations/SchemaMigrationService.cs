using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DigitalTwin.Persistence.Migrations;

/// <summary>
/// Migrates the schema while the host starts, before the silo joins the cluster or takes traffic: in
/// <see cref="StartingAsync"/>, which the host runs for every hosted service before it starts any of them, so no
/// service needs the schema before it exists, wherever it was registered. PostgreSQL that is still starting up is waited for, up to
/// <c>Persistence:StartupTimeout</c>; after that start-up fails with the reason.
/// </summary>
public sealed partial class SchemaMigrationService(
    SchemaMigrator migrator,
    IOptions<PostgresPersistenceOptions> options,
    ILogger<SchemaMigrationService> logger,
    TimeProvider? timeProvider = null) : IHostedLifecycleService
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + options.Value.StartupTimeout;
        var delay = TimeSpan.FromMilliseconds(250);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await migrator.MigrateAsync(cancellationToken);
                return;
            }
            catch (Exception ex) when (IsWorthWaitingFor(ex) && _time.GetUtcNow() + delay < deadline && !cancellationToken.IsCancellationRequested)
            {
                LogWaiting(logger, attempt, delay, ex.Message);
                await Task.Delay(delay, _time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Unreachable or starting servers are worth waiting for; a failing migration script is not.
    private static bool IsWorthWaitingFor(Exception exception) =>
        exception is NpgsqlException { IsTransient: true } or TimeoutException
        || exception is PostgresException { SqlState: "57P03" }; // cannot_connect_now: the server is starting up

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL not reachable for schema migration (attempt {Attempt}), retrying in {Delay}: {Error}")]
    private static partial void LogWaiting(ILogger logger, int attempt, TimeSpan delay, string error);
}
