using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;

namespace DigitalTwin.KafkaMock;

/// <summary>
/// <c>DigitalTwin.KafkaMock [--brokers N] [--topic name:partitions]...</c>: starts librdkafka's mock cluster, prints
/// one line <c>bootstrap host:port,...</c>, then answers commands read from stdin, one per line, with <c>ok</c> or
/// <c>error &lt;why&gt;</c>: <c>topic &lt;name&gt; &lt;partitions&gt;</c>, <c>down &lt;brokerId&gt;</c>,
/// <c>up &lt;brokerId&gt;</c> (broker ids start at 1; -1 means every broker), <c>quit</c>. It also stops on stdin's
/// end (its parent died) and on SIGTERM or SIGINT, always destroying the cluster before the librdkafka handle
/// (the other order aborts the process).
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        var brokers = new Option<int>("--brokers")
        {
            Description = "number of mock brokers (ids 1..N)",
            HelpName = "N",
            DefaultValueFactory = _ => 3,
            CustomParser = r =>
            {
                if (int.TryParse(r.Tokens[0].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 16)
                {
                    return n;
                }

                r.AddError($"--brokers must be a number from 1 to 16, got '{r.Tokens[0].Value}'");
                return 0;
            },
        };
        var topics = new Option<TopicSpec[]>("--topic")
        {
            Description = "a topic to create at start, as name:partitions (repeatable)",
            HelpName = "name:partitions",
            Arity = ArgumentArity.ZeroOrMore,
            CustomParser = r =>
            {
                var specs = new List<TopicSpec>();
                foreach (var token in r.Tokens)
                {
                    var separator = token.Value.LastIndexOf(':');
                    if (separator <= 0 || !TryPartitions(token.Value[(separator + 1)..], out var partitions))
                    {
                        r.AddError($"--topic must be name:partitions with partitions from 1 to 1000, got '{token.Value}'");
                        continue;
                    }

                    specs.Add(new TopicSpec(token.Value[..separator], partitions));
                }

                return [.. specs];
            },
        };

        var root = new RootCommand("librdkafka's mock Kafka cluster, driven over stdin (topic, down, up, quit)")
        {
            brokers,
            topics,
        };
        root.Options.Remove(root.Options.OfType<VersionOption>().Single());
        root.SetAction(result => Run(result.GetValue(brokers), result.GetValue(topics) ?? []));
        return root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null }).Invoke();
    }

    private static int Run(int brokerCount, IReadOnlyList<TopicSpec> topics)
    {
        Native.UseBundledLibrary();
        var commands = Channel.CreateUnbounded<string?>(new UnboundedChannelOptions { SingleReader = true });

        // SIGTERM (and Ctrl+C) end the loop like "quit", so the cluster is still destroyed in the right order.
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

        using var cluster = MockCluster.Create(brokerCount);
        foreach (var topic in topics)
        {
            var error = cluster.CreateTopic(topic.Name, topic.Partitions);
            if (error is not null)
            {
                Console.Error.WriteLine($"kafka-mock: topic {topic.Name}: {error}");
                return 2;
            }
        }

        Reply($"bootstrap {cluster.BootstrapServers}");

        // stdin is read on a thread of its own: a blocking read must not keep a signal from stopping the loop.
        var reader = new Thread(() =>
        {
            while (Console.In.ReadLine() is { } line)
            {
                commands.Writer.TryWrite(line);
            }

            // End of input: the parent closed the pipe or died. Same as "quit".
            commands.Writer.TryWrite(null);
        })
        {
            IsBackground = true,
            Name = "stdin",
        };
        reader.Start();

        while (true)
        {
            var line = commands.Reader.ReadAsync().AsTask().GetAwaiter().GetResult();
            if (line is null || line.Trim() == "quit")
            {
                break;
            }

            Reply(Execute(cluster, line));
        }

        cluster.Dispose();
        Reply("ok");
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            commands.Writer.TryWrite(null);
        }
    }

    private static string Execute(MockCluster cluster, string line)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return words switch
        {
            ["topic", var name, var count] when TryPartitions(count, out var partitions) =>
                cluster.CreateTopic(name, partitions) is { } error ? $"error {error}" : "ok",
            ["topic", ..] => "error usage: topic <name> <partitions 1-1000>",
            ["down", var id] when TryBroker(id, out var broker) =>
                cluster.SetBrokerDown(broker) is { } error ? $"error {error}" : "ok",
            ["up", var id] when TryBroker(id, out var broker) =>
                cluster.SetBrokerUp(broker) is { } error ? $"error {error}" : "ok",
            ["down" or "up", ..] => "error usage: down|up <brokerId> (1..N, or -1 for every broker)",
            [] => "error empty command",
            _ => $"error unknown command '{words[0]}' (topic, down, up, quit)",
        };
    }

    private static bool TryPartitions(string text, out int partitions) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out partitions) && partitions is >= 1 and <= 1000;

    private static bool TryBroker(string text, out int broker) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out broker) && (broker >= 1 || broker == -1);

    /// <summary>One line, flushed at once: the parent waits for it.</summary>
    private static void Reply(string line)
    {
        Console.Out.Write(line + "\n");
        Console.Out.Flush();
    }

    private sealed record TopicSpec(string Name, int Partitions);

    /// <summary>A throwaway producer handle and the mock cluster that lives on it.</summary>
    private sealed class MockCluster : IDisposable
    {
        private readonly int _brokerCount;
        private IntPtr _handle;
        private IntPtr _cluster;

        private MockCluster(IntPtr handle, IntPtr cluster, int brokerCount)
        {
            _handle = handle;
            _cluster = cluster;
            _brokerCount = brokerCount;
            BootstrapServers = Marshal.PtrToStringUTF8(Native.MockClusterBootstraps(cluster))
                ?? throw new InvalidOperationException("the mock cluster has no bootstrap servers");
        }

        public string BootstrapServers { get; }

        public static MockCluster Create(int brokerCount)
        {
            var conf = Native.ConfNew();
            var errstr = new byte[512];
            // Warnings and errors only: the handle has no bootstrap.servers of its own, which librdkafka notes at level 5.
            if (Native.ConfSet(conf, "log_level", "4", errstr, (nuint)errstr.Length) != 0)
            {
                Native.ConfDestroy(conf);
                throw new InvalidOperationException($"rd_kafka_conf_set failed: {Encoding.UTF8.GetString(errstr).TrimEnd('\0')}");
            }

            var handle = Native.New(Native.ProducerType, conf, errstr, (nuint)errstr.Length);
            if (handle == IntPtr.Zero)
            {
                Native.ConfDestroy(conf);
                throw new InvalidOperationException($"rd_kafka_new failed: {Encoding.UTF8.GetString(errstr).TrimEnd('\0')}");
            }

            var cluster = Native.MockClusterNew(handle, brokerCount);
            if (cluster == IntPtr.Zero)
            {
                Native.Destroy(handle);
                throw new InvalidOperationException("rd_kafka_mock_cluster_new failed");
            }

            // The broker's default (3 s) would delay every consumer group's first assignment in every test.
            Native.MockGroupInitialRebalanceDelayMs(cluster, 0);
            return new MockCluster(handle, cluster, brokerCount);
        }

        /// <returns>null when created, else why not.</returns>
        public string? CreateTopic(string name, int partitions)
        {
            // Replicated on up to three brokers, like a real cluster's topic; leaders spread over the brokers.
            var err = Native.MockTopicCreate(_cluster, name, partitions, Math.Min(_brokerCount, 3));
            return err == 0 ? null : Native.Describe(err);
        }

        public string? SetBrokerDown(int broker) => CheckBroker(broker) ?? Describe(Native.MockBrokerSetDown(_cluster, broker));

        public string? SetBrokerUp(int broker) => CheckBroker(broker) ?? Describe(Native.MockBrokerSetUp(_cluster, broker));

        /// <summary>The cluster first, then the handle it was created on.</summary>
        public void Dispose()
        {
            if (_cluster != IntPtr.Zero)
            {
                Native.MockClusterDestroy(_cluster);
                _cluster = IntPtr.Zero;
            }

            if (_handle != IntPtr.Zero)
            {
                Native.Destroy(_handle);
                _handle = IntPtr.Zero;
            }
        }

        private string? CheckBroker(int broker) =>
            broker == -1 || broker <= _brokerCount ? null : $"no broker {broker}: this cluster has brokers 1 to {_brokerCount}";

        private static string? Describe(int err) => err == 0 ? null : Native.Describe(err);
    }
}
