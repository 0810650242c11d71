using System.Reflection;
using System.Runtime.InteropServices;

namespace DigitalTwin.KafkaMock;

/// <summary>
/// The part of librdkafka's C API (rdkafka.h, rdkafka_mock.h) this program needs, bound to the very library
/// Confluent.Kafka ships (librdkafka.redist). Confluent's own loader is not used: its <c>Library.Load</c> fails on
/// Debian (it looks for libdl). The plain <c>librdkafka.so</c> needs libsasl2, which Debian lacks by default, so the
/// resolver falls back to the CentOS 8 build, which links nothing beyond glibc.
/// </summary>
internal static partial class Native
{
    private const string Library = "librdkafka";

    /// <summary><c>RD_KAFKA_PRODUCER</c>.</summary>
    public const int ProducerType = 0;

    private static readonly string[] Candidates = ["librdkafka", "centos8-librdkafka"];

    /// <summary>Which file the resolver loaded, for the error message when none loads.</summary>
    public static string? LoadedFrom { get; private set; }

    public static void UseBundledLibrary() =>
        NativeLibrary.SetDllImportResolver(typeof(Native).Assembly, Resolve);

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != Library)
        {
            return IntPtr.Zero;
        }

        var failures = new List<string>();
        foreach (var candidate in Candidates)
        {
            // The deps.json of this program lists runtimes/<rid>/native, so the host's probing paths find both files.
            if (NativeLibrary.TryLoad(candidate, assembly, searchPath, out var handle))
            {
                LoadedFrom = candidate;
                return handle;
            }

            failures.Add(candidate);
        }

        throw new DllNotFoundException(
            $"None of {string.Join(", ", failures)} could be loaded from the librdkafka.redist files next to this program.");
    }

    [LibraryImport(Library, EntryPoint = "rd_kafka_conf_new")]
    public static partial IntPtr ConfNew();

    /// <returns><c>RD_KAFKA_CONF_OK</c> (0) when set.</returns>
    [LibraryImport(Library, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ConfSet(IntPtr conf, string name, string value, [Out] byte[] errstr, nuint errstrSize);

    [LibraryImport(Library, EntryPoint = "rd_kafka_conf_destroy")]
    public static partial void ConfDestroy(IntPtr conf);

    /// <summary>Takes ownership of <paramref name="conf"/> on success only.</summary>
    [LibraryImport(Library, EntryPoint = "rd_kafka_new")]
    public static partial IntPtr New(int type, IntPtr conf, [Out] byte[] errstr, nuint errstrSize);

    [LibraryImport(Library, EntryPoint = "rd_kafka_destroy")]
    public static partial void Destroy(IntPtr rk);

    [LibraryImport(Library, EntryPoint = "rd_kafka_version_str")]
    public static partial IntPtr VersionString();

    [LibraryImport(Library, EntryPoint = "rd_kafka_err2str")]
    public static partial IntPtr ErrorToString(int err);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_cluster_new")]
    public static partial IntPtr MockClusterNew(IntPtr rk, int brokerCount);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_cluster_destroy")]
    public static partial void MockClusterDestroy(IntPtr cluster);

    /// <summary>A string owned by the cluster: valid until it is destroyed.</summary>
    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    public static partial IntPtr MockClusterBootstraps(IntPtr cluster);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_topic_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MockTopicCreate(IntPtr cluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_group_initial_rebalance_delay_ms")]
    public static partial void MockGroupInitialRebalanceDelayMs(IntPtr cluster, int delayMs);

    /// <summary>Disconnects the broker and refuses new connections; does not move partition leadership. -1: every broker.</summary>
    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_broker_set_down")]
    public static partial int MockBrokerSetDown(IntPtr cluster, int brokerId);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_broker_set_up")]
    public static partial int MockBrokerSetUp(IntPtr cluster, int brokerId);

    public static string Describe(int err) => $"{Marshal.PtrToStringUTF8(ErrorToString(err))} ({err})";
}
