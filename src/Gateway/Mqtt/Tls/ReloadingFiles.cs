namespace DigitalTwin.Gateway.Mqtt.Tls;

/// <summary>
/// A value loaded from files and loaded again when one of them changes: cert-manager and Let's Encrypt clients renew
/// certificates in place, and the silo must serve the new one without a restart. The modification times are looked at
/// on use, at most once per <see cref="CheckInterval"/> (one <c>stat</c> per file, not one per handshake). A file
/// caught half-written fails to load; the previous value stays in force and the next check tries again.
/// </summary>
public sealed class ReloadingFiles<T>(IReadOnlyList<string> paths, Func<IReadOnlyList<string>, T> load, TimeProvider clock, Action<Exception>? onReloadFailed = null)
    where T : class
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private T? _value;
    private DateTime[] _stamps = [];
    private long _nextCheck = long.MinValue;

    /// <summary>The value in force; the first call loads it and throws if it cannot.</summary>
    public T Current
    {
        get
        {
            var now = clock.GetTimestamp();
            if (_value is { } loaded && now < Volatile.Read(ref _nextCheck))
            {
                return loaded;
            }

            lock (_gate)
            {
                if (_value is not null && now < _nextCheck)
                {
                    return _value;
                }

                _nextCheck = now + (long)(CheckInterval.TotalSeconds * clock.TimestampFrequency);
                var stamps = paths.Select(File.GetLastWriteTimeUtc).ToArray();
                if (_value is not null && stamps.SequenceEqual(_stamps))
                {
                    return _value;
                }

                try
                {
                    _value = load(paths);
                    _stamps = stamps;
                }
                catch (Exception ex) when (_value is not null)
                {
                    onReloadFailed?.Invoke(ex);
                }

                return _value;
            }
        }
    }
}
