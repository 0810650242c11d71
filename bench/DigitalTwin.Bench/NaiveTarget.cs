using System.Net;
using System.Text;
using DigitalTwin.Testing;
using MQTTnet.Protocol;
using MQTTnet.Server;
using Npgsql;
using NpgsqlTypes;

namespace DigitalTwin.Bench;

/// <summary>
/// What a team would write by hand: an MQTT server whose publish handler INSERTs each message into PostgreSQL
/// and acknowledges after the INSERT. Default Npgsql pooling; the server runs with synchronous_commit=off so
/// that, like the twin's write-behind, it may lose the last moments on a crash but never waits for an fsync
/// per message (with fsync per commit it would be much slower, and the ratio meaningless).
/// </summary>
public sealed class NaiveTarget : IBenchTarget
{
    private const string Insert = "INSERT INTO telemetry (vin, doc) VALUES ($1, $2)";

    private PostgresServer? _postgres;
    private NpgsqlDataSource? _db;
    private MqttServer? _server;
    private long _received;
    private long _failed;

    public string Name => "naive-postgres";

    public string Description => "one INSERT per message into PostgreSQL, acknowledged after it";

    public int Port { get; private set; }

    public long Received => Interlocked.Read(ref _received);

    public long FailedInserts => Interlocked.Read(ref _failed);

    public Action<int>? ProcessedListener { get; set; }

    public async Task StartAsync(CancellationToken cancel)
    {
        _postgres = await BenchPostgres.StartAsync(["synchronous_commit=off", "max_connections=200"], cancel);
        _db = NpgsqlDataSource.Create(_postgres.ConnectionString);
        await using (var create = _db.CreateCommand("CREATE TABLE telemetry (id bigserial PRIMARY KEY, vin text NOT NULL, received_at timestamptz NOT NULL DEFAULT now(), doc jsonb NOT NULL)"))
        {
            await create.ExecuteNonQueryAsync(cancel);
        }

        Port = Ports.Free();
        var options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointPort(Port)
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .Build();
        _server = new MqttServerFactory().CreateMqttServer(options);
        _server.InterceptingPublishAsync += OnPublishAsync;
        await _server.StartAsync();
    }

    public Task<LossCheck?> VerifyAsync(Fleet fleet, CancellationToken cancel) => Task.FromResult<LossCheck?>(null);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync();
            _server.Dispose();
            _server = null;
        }

        if (_db is not null)
        {
            await _db.DisposeAsync();
            _db = null;
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
            _postgres = null;
        }
    }

    private async Task OnPublishAsync(InterceptingPublishEventArgs e)
    {
        e.ProcessPublish = false;
        var topic = e.ApplicationMessage.Topic;
        var start = topic.IndexOf('/', StringComparison.Ordinal) + 1;
        var end = topic.IndexOf('/', start);
        var vin = end > start ? topic[start..end] : topic;
        try
        {
            await using var insert = _db!.CreateCommand(Insert);
            insert.Parameters.Add(new NpgsqlParameter { Value = vin });
            insert.Parameters.Add(new NpgsqlParameter { Value = Encoding.UTF8.GetString(e.ApplicationMessage.Payload), NpgsqlDbType = NpgsqlDbType.Jsonb });
            await insert.ExecuteNonQueryAsync(e.CancellationToken);
            Interlocked.Increment(ref _received);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or OperationCanceledException)
        {
            Interlocked.Increment(ref _failed);
            e.Response.ReasonCode = MqttPubAckReasonCode.ImplementationSpecificError;
        }

        ProcessedListener?.Invoke(1);
    }
}
