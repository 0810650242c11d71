namespace DigitalTwin.Testing;

/// <summary>How <see cref="KafkaMockCluster.StartAsync(KafkaMockClusterOptions, CancellationToken)"/> starts a cluster; the defaults suit tests.</summary>
public sealed class KafkaMockClusterOptions
{
    /// <summary>Number of brokers, ids 1 to N. Topics are replicated on up to three of them.</summary>
    public int Brokers { get; init; } = 3;

    /// <summary>Topics created before the cluster is handed out: name and partition count.</summary>
    public IReadOnlyDictionary<string, int> Topics { get; init; } = new Dictionary<string, int>();

    /// <summary>
    /// <c>DigitalTwin.KafkaMock.dll</c>; by default <see cref="KafkaMockCluster.ProgramVariable"/>, else the path a
    /// test assembly recorded at build time (see <see cref="KafkaMockCluster.ProgramMetadataKey"/>).
    /// </summary>
    public string? ProgramPath { get; init; }

    /// <summary>How long the program may take to print its bootstrap line (it usually takes well under a second).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one command (topic, down, up) may take to be answered.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
