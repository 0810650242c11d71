using System.Collections.Concurrent;

namespace DigitalTwin.Bench;

/// <summary>
/// Last line of defence for what the bench starts outside itself (Mosquitto, PostgreSQL, child processes,
/// temp directories). Targets clean up in their own DisposeAsync; this catches what an exception, a second
/// Ctrl-C or a SIGTERM would otherwise leave running. Cleanups run once, newest first.
/// </summary>
public static class Janitor
{
    private static readonly ConcurrentDictionary<long, (string What, Action Action)> Pending = new();
    private static long _next;
    private static int _hooked;
    private static bool _unwinding;

    public static void Hook()
    {
        if (Interlocked.Exchange(ref _hooked, 1) == 1)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => RunAll();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => RunAll();
    }

    /// <summary>Registers a cleanup; disposing the returned handle runs it now (and only once).</summary>
    public static IDisposable Register(string what, Action action)
    {
        var id = Interlocked.Increment(ref _next);
        Pending[id] = (what, action);
        return new Handle(id);
    }

    public static void RunAll()
    {
        // What is still registered here was not cleaned up by its owner: say what is being removed.
        Volatile.Write(ref _unwinding, true);
        foreach (var id in Pending.Keys.OrderDescending())
        {
            Run(id);
        }
    }

    private static void Run(long id)
    {
        if (!Pending.TryRemove(id, out var entry))
        {
            return;
        }

        try
        {
            entry.Action();
            if (Volatile.Read(ref _unwinding))
            {
                Console.Error.WriteLine($"bench: cleaned up {entry.What}");
            }
        }
        catch (Exception ex)
        {
            // Cleanup must go on with the next item; say what could not be removed so a person can.
            Console.Error.WriteLine($"bench: cleanup of {entry.What} failed: {ex.Message}");
        }
    }

    private sealed class Handle(long id) : IDisposable
    {
        public void Dispose() => Run(id);
    }
}
