using System.Collections;
using System.Diagnostics.CodeAnalysis;
using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Grains.Telemetry;

namespace DigitalTwin.Grains.Vehicles;

/// <summary>
/// The latest reading of each signal of one twin, kept small because a silo holds one per twin: a single array of
/// entries sorted by name and exactly as long as the signals it holds (20 signals: ~0.85 KB, against ~2 KB for a
/// <see cref="Dictionary{TKey,TValue}"/> with its buckets and spare room).
/// <para>
/// <see cref="TwinState"/> writes into its table until it hands it out in a snapshot (<see cref="Freeze"/>); a frozen
/// table never changes again, and the next write goes to a copy. So a live twin and the snapshot the store keeps of it
/// share one table until the car sends again, and a snapshot is as safe to share as before.
/// </para>
/// <para>
/// Orleans sees only the <see cref="IReadOnlyDictionary{TKey,TValue}"/> of <see cref="TwinSnapshot.Signals"/>: with no
/// codec of its own, a table crosses the wire as the <c>Dictionary</c> it always was (see the tests), so a silo of the
/// previous release reads it too. [Immutable] keeps Orleans from copying it; only frozen tables leave their twin.
/// </para>
/// </summary>
[Immutable]
public sealed class SignalTable : IReadOnlyDictionary<string, SignalReading>
{
    public static readonly SignalTable Empty = new([], frozen: true);

    private Entry[] _entries;
    private bool _frozen;

    private SignalTable(Entry[] entries, bool frozen)
    {
        _entries = entries;
        _frozen = frozen;
    }

    public int Count => _entries.Length;

    /// <summary>True once handed out: the table never changes again.</summary>
    public bool IsFrozen => _frozen;

    public IEnumerable<string> Keys => _entries.Select(e => e.Name);

    public IEnumerable<SignalReading> Values => _entries.Select(e => e.Reading);

    public SignalReading this[string key] =>
        TryGetValue(key, out var reading) ? reading : throw new KeyNotFoundException($"The twin holds no signal '{key}'.");

    /// <summary>
    /// A table holding <paramref name="signals"/>: the same instance when it is a frozen table already (a snapshot
    /// going back into a twin), else a new one whose known names are the catalogue's own strings, so that twins loaded
    /// from a database do not each keep a private copy of every name.
    /// </summary>
    public static SignalTable From(IReadOnlyDictionary<string, SignalReading> signals)
    {
        ArgumentNullException.ThrowIfNull(signals);
        if (signals is SignalTable { IsFrozen: true } table)
        {
            return table;
        }

        var entries = new Entry[signals.Count];
        var count = 0;
        foreach (var (name, reading) in signals)
        {
            entries[count++] = new Entry(SignalCatalogue.TryGet(name, out var spec) ? spec.Name : name, reading);
        }

        Array.Sort(entries, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new SignalTable(entries, frozen: false);
    }

    public bool ContainsKey(string key) => IndexOf(_entries, _entries.Length, key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out SignalReading value)
    {
        var index = IndexOf(_entries, _entries.Length, key);
        if (index < 0)
        {
            value = default;
            return false;
        }

        value = _entries[index].Reading;
        return true;
    }

    /// <summary>Marks the table as handed out and returns it; the owner's next <see cref="Write"/> copies it first.</summary>
    public SignalTable Freeze()
    {
        _frozen = true;
        return this;
    }

    /// <summary>
    /// Sets every sample, in order (a name sent twice keeps its last value), each with <paramref name="ts"/>; names not
    /// held yet are added while the table holds fewer than <paramref name="maxSignals"/>, the others are dropped.
    /// </summary>
    /// <returns>The table that holds the result: this one, or a fresh copy when this one is frozen.</returns>
    public SignalTable Write(IReadOnlyList<SignalSample> samples, long ts, int maxSignals, out int dropped)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            dropped = 0;
            return this;
        }

        var target = _frozen ? new SignalTable((Entry[])_entries.Clone(), frozen: false) : this;
        dropped = target.WriteOwned(samples, ts, maxSignals);
        return target;
    }

    public Enumerator GetEnumerator() => new(this);

    IEnumerator<KeyValuePair<string, SignalReading>> IEnumerable<KeyValuePair<string, SignalReading>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int WriteOwned(IReadOnlyList<SignalSample> samples, long ts, int maxSignals)
    {
        // The common case, a car sending the signals it always sends, changes the array in place and allocates nothing.
        var entries = _entries;
        var missing = 0;
        for (var i = 0; i < samples.Count; i++)
        {
            var sample = samples[i];
            var index = IndexOf(entries, entries.Length, sample.Name);
            if (index >= 0)
            {
                entries[index].Reading = new SignalReading(sample.Value, ts);
            }
            else
            {
                missing++;
            }
        }

        if (missing == 0)
        {
            return 0;
        }

        // New names: one bigger array, filled in the order the samples came, then cut to what it holds.
        var grown = new Entry[Math.Max(entries.Length, Math.Min(entries.Length + missing, maxSignals))];
        Array.Copy(entries, grown, entries.Length);
        var count = entries.Length;
        var dropped = 0;
        for (var i = 0; i < samples.Count; i++)
        {
            var sample = samples[i];
            var index = IndexOf(grown, count, sample.Name);
            if (index >= 0)
            {
                grown[index].Reading = new SignalReading(sample.Value, ts);
                continue;
            }

            if (count >= maxSignals)
            {
                dropped++;
                continue;
            }

            var at = ~index;
            Array.Copy(grown, at, grown, at + 1, count - at);
            grown[at] = new Entry(sample.Name, new SignalReading(sample.Value, ts));
            count++;
        }

        if (count < grown.Length)
        {
            Array.Resize(ref grown, count);
        }

        _entries = grown;
        return dropped;
    }

    /// <returns>The index of <paramref name="name"/>, or the bitwise complement of where it would go.</returns>
    private static int IndexOf(Entry[] entries, int count, string name)
    {
        var low = 0;
        var high = count - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var order = string.CompareOrdinal(entries[middle].Name, name);
            if (order == 0)
            {
                return middle;
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return ~low;
    }

    private struct Entry(string name, SignalReading reading)
    {
        public readonly string Name = name;
        public SignalReading Reading = reading;
    }

    public struct Enumerator : IEnumerator<KeyValuePair<string, SignalReading>>
    {
        private readonly Entry[] _entries;
        private int _index;

        internal Enumerator(SignalTable table)
        {
            _entries = table._entries;
            _index = -1;
        }

        public readonly KeyValuePair<string, SignalReading> Current => new(_entries[_index].Name, _entries[_index].Reading);

        readonly object IEnumerator.Current => Current;

        public bool MoveNext() => ++_index < _entries.Length;

        public void Reset() => _index = -1;

        public readonly void Dispose()
        {
        }
    }
}
