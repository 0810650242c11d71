using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Grains.Vehicles;

namespace DigitalTwin.Grains.Tests.Vehicles;

public sealed class SignalTableTests
{
    private const int Limit = 256;

    private static SignalSample Number(string name, double value) => new(name, SignalValue.FromNumber(value));

    private static SignalTable Write(SignalTable table, long ts, params SignalSample[] samples) => table.Write(samples, ts, Limit, out _);

    [Fact]
    public void A_table_keeps_the_latest_reading_of_each_signal()
    {
        var table = Write(SignalTable.Empty, 100, Number("Vehicle.B", 1), Number("Vehicle.A", 2), new("Vehicle.C", SignalValue.FromText("x")));

        table = Write(table, 200, Number("Vehicle.A", 20), new("Vehicle.C", SignalValue.FromBoolean(true)));

        Assert.Equal(3, table.Count);
        Assert.Equal(new SignalReading(SignalValue.FromNumber(1), 100), table["Vehicle.B"]);
        Assert.Equal(new SignalReading(SignalValue.FromNumber(20), 200), table["Vehicle.A"]);
        Assert.Equal(new SignalReading(SignalValue.FromBoolean(true), 200), table["Vehicle.C"]);
    }

    [Fact]
    public void A_name_sent_twice_in_one_document_keeps_its_last_value()
    {
        var table = Write(SignalTable.Empty, 1, Number("Vehicle.New", 1), Number("Vehicle.New", 2));
        table = Write(table, 2, Number("Vehicle.New", 3), Number("Vehicle.New", 4));

        Assert.Equal(4, Assert.Single(table).Value.Value.Number);
    }

    [Fact]
    public void New_names_grow_the_table_one_document_at_a_time()
    {
        var table = SignalTable.Empty;
        for (var i = 0; i < 40; i++)
        {
            table = Write(table, i, Number($"Vehicle.S{i:D2}", i), Number("Vehicle.S00", -i));
        }

        Assert.Equal(40, table.Count);
        Assert.Equal(-39, table["Vehicle.S00"].Value.Number);
        Assert.All(Enumerable.Range(1, 39), i => Assert.Equal(i, table[$"Vehicle.S{i:D2}"].Value.Number));
    }

    [Fact]
    public void New_names_beyond_the_limit_are_dropped_and_counted_while_held_ones_still_update()
    {
        var table = SignalTable.Empty.Write([Number("Vehicle.A", 1), Number("Vehicle.B", 2), Number("Vehicle.C", 3)], 1, maxSignals: 2, out var first);

        table = table.Write([Number("Vehicle.D", 4), Number("Vehicle.A", 10), Number("Vehicle.D", 5)], 2, maxSignals: 2, out var second);

        Assert.Equal(1, first);
        Assert.Equal(2, second);
        Assert.Equal(["Vehicle.A", "Vehicle.B"], table.Keys);
        Assert.Equal(10, table["Vehicle.A"].Value.Number);
    }

    [Fact]
    public void A_signal_keeps_its_kind_and_value_as_it_turns_from_number_to_text_to_boolean()
    {
        var table = Write(SignalTable.Empty, 1, Number("Vehicle.A", 1.5), Number("Vehicle.B", 2));

        table = Write(table, 2, new SignalSample("Vehicle.A", SignalValue.FromText("ready")));
        Assert.Equal(new SignalReading(SignalValue.FromText("ready"), 2), table["Vehicle.A"]);
        Assert.Equal(new SignalReading(SignalValue.FromNumber(2), 1), table["Vehicle.B"]);

        table = Write(table, 3, new SignalSample("Vehicle.A", SignalValue.FromBoolean(true)), new("Vehicle.0", SignalValue.FromText("first")));
        Assert.Equal(new SignalReading(SignalValue.FromBoolean(true), 3), table["Vehicle.A"]);
        Assert.Equal(new SignalReading(SignalValue.FromText("first"), 3), table["Vehicle.0"]);
        Assert.Equal(new SignalReading(SignalValue.FromNumber(2), 1), table["Vehicle.B"]);
    }

    [Fact]
    public void New_names_of_a_document_are_taken_in_the_order_they_came_until_the_limit()
    {
        var held = Write(SignalTable.Empty, 1, Number("Vehicle.M", 0));
        var names = Enumerable.Range(0, 300).Select(i => $"Vehicle.N{299 - i:D3}").ToArray();

        var table = held.Write([.. names.Select((n, i) => Number(n, i)), Number("Vehicle.M", -1)], 2, maxSignals: 256, out var dropped);

        Assert.Equal(256, table.Count);
        Assert.Equal(45, dropped);
        Assert.Equal(-1, table["Vehicle.M"].Value.Number);
        Assert.True(table.ContainsKey(names[254]));
        Assert.False(table.ContainsKey(names[255]));
        Assert.Equal(table.Keys.Order(StringComparer.Ordinal), table.Keys);
    }

    [Fact]
    public void Enumeration_yields_every_signal_once_in_name_order()
    {
        var table = Write(SignalTable.Empty, 7, Number("Vehicle.Speed", 1), Number("Vehicle.Acceleration.Lateral", 2), Number("Vehicle.Cabin.X", 3));

        var seen = table.Select(p => (p.Key, p.Value.Value.Number)).ToList();

        Assert.Equal([("Vehicle.Acceleration.Lateral", 2.0), ("Vehicle.Cabin.X", 3.0), ("Vehicle.Speed", 1.0)], seen);
        Assert.Equal([2.0, 3.0, 1.0], table.Values.Select(r => r.Value.Number));
    }

    [Fact]
    public void Names_it_does_not_hold_are_not_found()
    {
        var table = Write(SignalTable.Empty, 1, Number("Vehicle.B", 1));

        Assert.False(table.ContainsKey("Vehicle.A"));
        Assert.False(table.TryGetValue("Vehicle.C", out _));
        Assert.Throws<KeyNotFoundException>(() => table["Vehicle.A"]);
        Assert.Empty(SignalTable.Empty);
        Assert.False(SignalTable.Empty.ContainsKey("Vehicle.B"));
    }

    [Fact]
    public void A_frozen_table_never_changes_and_the_next_write_goes_to_a_copy()
    {
        var table = Write(SignalTable.Empty, 1, Number("Vehicle.A", 1), Number("Vehicle.B", 2));
        var frozen = table.Freeze();

        var held = Write(frozen, 2, Number("Vehicle.A", 10));
        var grown = Write(frozen, 3, Number("Vehicle.C", 30));

        Assert.NotSame(frozen, held);
        Assert.NotSame(frozen, grown);
        Assert.Equal(1, frozen["Vehicle.A"].Value.Number);
        Assert.Equal(2, frozen.Count);
        Assert.Equal(10, held["Vehicle.A"].Value.Number);
        Assert.Equal(30, grown["Vehicle.C"].Value.Number);
        Assert.Equal(2, grown["Vehicle.B"].Value.Number);
    }

    [Fact]
    public void A_table_that_is_not_frozen_is_written_in_place()
    {
        var table = Write(SignalTable.Empty, 1, Number("Vehicle.A", 1));

        Assert.Same(table, Write(table, 2, Number("Vehicle.A", 2)));
        Assert.Same(table, Write(table, 3, Number("Vehicle.B", 3)));
        Assert.Equal(2, table.Count);
    }

    [Fact]
    public void A_frozen_table_is_taken_back_as_it_is_and_anything_else_is_copied()
    {
        var frozen = Write(SignalTable.Empty, 1, Number("Vehicle.A", 1)).Freeze();
        var live = Write(SignalTable.Empty, 1, Number("Vehicle.A", 1));

        Assert.Same(frozen, SignalTable.From(frozen));
        Assert.NotSame(live, SignalTable.From(live));
    }

    [Fact]
    public void A_plain_signal_map_is_loaded_with_the_catalogues_own_names()
    {
        // As PostgreSQL hands them back: a fresh string per name and per twin.
        var speed = new string(SignalCatalogue.Speed.AsSpan());
        var map = new Dictionary<string, SignalReading>
        {
            [speed] = new(SignalValue.FromNumber(50), 9),
            ["Vehicle.Custom.Thing"] = new(SignalValue.FromText("on"), 8),
        };

        var table = SignalTable.From(map);

        Assert.Equal(2, table.Count);
        Assert.Same(SignalCatalogue.Speed, table.Keys.First(k => k == SignalCatalogue.Speed));
        Assert.Equal(map[speed], table[SignalCatalogue.Speed]);
        Assert.Equal(map["Vehicle.Custom.Thing"], table["Vehicle.Custom.Thing"]);
    }
}
