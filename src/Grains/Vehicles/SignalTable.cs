using System.Collections;
using System.Diagnostics.CodeAnalysis;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Telemetry;

namespace DigitalTwin.Grains.Vehicles;

/// <summary>
/// The latest reading of each signal of one twin, kept small because a silo holds one per twin: parallel arrays sorted
/// by name and exactly as long as the signals they hold. A signal costs 25 bytes (name, number and sample time in one
/// entry, its kind in a byte); string values are rare, so their array is only made for a twin that holds one. 20 signals
/// take ~0.6 KB, against ~2 KB for a <see cref="Dictionary{TKey,TValue}"/> of <see cref="SignalReading"/> with its
/// buckets and spare room.
/// <para>
/// <see cref="TwinState"/> writes into its table until it hands it out in a snapshot (<see cref="Freeze"/>); a frozen
/// table never changes again, and the next write goes to a copy. So a live twin and the snapshot the store keeps of it
/// share one table until the car sends again, and a snapshot is as safe to share as before.
/// </para>
/// <para>
/// Orleans sees only the <see cref="IReadOnlyDictionary{TKey,TValue}"/> of <see cref="DigitalTwin.Grains.Abstractions.Vehicles.TwinSnapshot.Signals"/>: with no
/// codec of its own, a table crosses the wire as the <c>Dictionary</c> it always was (see the tests), so a silo of the
/// previous release reads it too. [Immutable] keeps Orleans from copying it; only frozen tables leave their twin.
/// </para>
/// </summary>
[Immutable]
public sealed class SignalTable : IReadOnlyDictionary<string, SignalReading>
{
    public static readonly SignalTable Empty = new([], [], null, frozen: true);

    private Entry[] _entries;
    private SignalKind[] _kinds;
    private string?[]? _texts;
    private bool _frozen;

    private SignalTable(Entry[] entries, SignalKind[] kinds, string?[]? texts, bool frozen)
    {
        _entries = entries;
        _kinds = kinds;
        _texts = texts;
        _frozen = frozen;
    }

    public int Count => _entries.Length;

    /// <summary>True once handed out: the table never changes again.</summary>
    public bool IsFrozen => _frozen;

    public IEnumerable<string> Keys => this.Select(p => p.Key);

    public IEnumerable<SignalReading> Values => this.Select(p => p.Value);

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

        var sorted = signals
            .Select(p => (Name: SignalCatalogue.TryGet(p.Key, out var spec) ? spec.Name : p.Key, p.Value))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ToArray();
        var result = new SignalTable(
            new Entry[sorted.Length],
            new SignalKind[sorted.Length],
            sorted.Any(p => p.Value.Value.Text is not null) ? new string?[sorted.Length] : null,
            frozen: false);
        for (var i = 0; i < sorted.Length; i++)
        {
            result.Put(i, sorted[i].Name, sorted[i].Value.Value, sorted[i].Value.Ts);
        }

        return result;
    }

    public bool ContainsKey(string key) => IndexOf(_entries, key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out SignalReading value)
    {
        var index = IndexOf(_entries, key);
        if (index < 0)
        {
            value = default;
            return false;
        }

        value = ReadingAt(_entries, _kinds, _texts, index);
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

        var target = _frozen
            ? new SignalTable((Entry[])_entries.Clone(), (SignalKind[])_kinds.Clone(), (string?[]?)_texts?.Clone(), frozen: false)
            : this;
        dropped = target.WriteOwned(samples, ts, maxSignals);
        return target;
    }

    public Enumerator GetEnumerator() => new(this);

    IEnumerator<KeyValuePair<string, SignalReading>> IEnumerable<KeyValuePair<string, SignalReading>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static SignalReading ReadingAt(Entry[] entries, SignalKind[] kinds, string?[]? texts, int index) =>
        new(new SignalValue { Kind = kinds[index], Number = entries[index].Number, Text = texts?[index] }, entries[index].Ts);

    /// <returns>The index of <paramref name="name"/>, or the bitwise complement of where it would go.</returns>
    private static int IndexOf(Entry[] entries, string name)
    {
        var low = 0;
        var high = entries.Length - 1;
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

    private int WriteOwned(IReadOnlyList<SignalSample> samples, long ts, int maxSignals)
    {
        // The common case, a car sending the signals it always sends, changes the arrays in place and allocates nothing.
        var missing = false;
        for (var i = 0; i < samples.Count; i++)
        {
            var index = IndexOf(_entries, samples[i].Name);
            if (index >= 0)
            {
                Put(index, _entries[index].Name, samples[i].Value, ts);
            }
            else
            {
                missing = true;
            }
        }

        return missing ? Add(samples, ts, maxSignals) : 0;
    }

    /// <summary>
    /// The names not held yet, in the order they came while there is room: new arrays, merged in name order and cut to
    /// size. Rare (a twin's first document, a car sending something new), so it may allocate its scratch.
    /// </summary>
    private int Add(IReadOnlyList<SignalSample> samples, long ts, int maxSignals)
    {
        var added = new List<(string Name, SignalValue Value)>();
        var addedAt = new Dictionary<string, int>(StringComparer.Ordinal);
        var dropped = 0;
        foreach (var sample in samples)
        {
            if (IndexOf(_entries, sample.Name) >= 0)
            {
                continue;
            }

            if (addedAt.TryGetValue(sample.Name, out var at))
            {
                added[at] = (sample.Name, sample.Value);
            }
            else if (_entries.Length + added.Count >= maxSignals)
            {
                dropped++;
            }
            else
            {
                addedAt[sample.Name] = added.Count;
                added.Add((sample.Name, sample.Value));
            }
        }

        if (added.Count == 0)
        {
            return dropped;
        }

        added.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        var (entries, kinds, texts) = (_entries, _kinds, _texts);
        var count = entries.Length + added.Count;
        _entries = new Entry[count];
        _kinds = new SignalKind[count];
        _texts = texts is not null || added.Exists(a => a.Value.Text is not null) ? new string?[count] : null;
        for (int i = 0, held = 0, next = 0; i < count; i++)
        {
            if (next == added.Count || (held < entries.Length && string.CompareOrdinal(entries[held].Name, added[next].Name) < 0))
            {
                var reading = ReadingAt(entries, kinds, texts, held);
                Put(i, entries[held++].Name, reading.Value, reading.Ts);
            }
            else
            {
                Put(i, added[next].Name, added[next++].Value, ts);
            }
        }

        return dropped;
    }

    private void Put(int index, string name, SignalValue value, long ts)
    {
        _entries[index] = new Entry(name, value.Number, ts);
        _kinds[index] = value.Kind;
        if (value.Text is not null)
        {
            // The first string value of this twin: from now on it has a string array.
            (_texts ??= new string?[_entries.Length])[index] = value.Text;
        }
        else if (_texts is not null)
        {
            _texts[index] = null;
        }
    }

    private readonly struct Entry(string name, double number, long ts)
    {
        public readonly string Name = name;
        public readonly double Number = number;
        public readonly long Ts = ts;
    }

    public struct Enumerator : IEnumerator<KeyValuePair<string, SignalReading>>
    {
        // The arrays as they were when the enumeration began: the owner may replace them while it grows.
        private readonly Entry[] _entries;
        private readonly SignalKind[] _kinds;
        private readonly string?[]? _texts;
        private int _index;

        internal Enumerator(SignalTable table)
        {
            (_entries, _kinds, _texts) = (table._entries, table._kinds, table._texts);
            _index = -1;
        }

        public readonly KeyValuePair<string, SignalReading> Current => new(_entries[_index].Name, ReadingAt(_entries, _kinds, _texts, _index));

        readonly object IEnumerator.Current => Current;

        public bool MoveNext() => ++_index < _entries.Length;

        public void Reset() => _index = -1;

        public readonly void Dispose()
        {
        }
    }
}
