using System.Net.Sockets;

namespace DigitalTwin.Gateway.Mqtt.Connections;

/// <summary>
/// How long the accept loop waits after a failed accept. A connection that was reset while in the backlog is gone and
/// the next one may be fine, so it is retried at once; anything else (no descriptor left, no kernel memory) will fail
/// again right away, and retrying at once spins a core: that waits 10 ms, doubling up to 1 s, until an accept works.
/// </summary>
public static class AcceptBackoff
{
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(10);

    public static readonly TimeSpan Longest = TimeSpan.FromSeconds(1);

    /// <summary>The wait after the <paramref name="consecutive"/>-th failure in a row (1, 2, ...).</summary>
    public static TimeSpan Delay(SocketError error, int consecutive)
    {
        if (IsTransient(error))
        {
            return TimeSpan.Zero;
        }

        var doublings = Math.Clamp(consecutive - 1, 0, 16);
        var delay = First * (1L << doublings);
        return delay < Longest ? delay : Longest;
    }

    /// <summary>Errors that belong to one connection, not to the listener or the process.</summary>
    public static bool IsTransient(SocketError error) =>
        error is SocketError.ConnectionAborted or SocketError.ConnectionReset or SocketError.Interrupted or SocketError.TryAgain;

    /// <summary>A short, stable name for the metric tag.</summary>
    public static string Name(SocketError error) => error switch
    {
        SocketError.TooManyOpenSockets => "too_many_open_files",
        SocketError.NoBufferSpaceAvailable => "no_buffer_space",
        SocketError.ConnectionAborted => "connection_aborted",
        SocketError.ConnectionReset => "connection_reset",
        _ => error.ToString().ToLowerInvariant(),
    };
}
