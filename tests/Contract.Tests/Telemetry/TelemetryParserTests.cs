using DigitalTwin.Contract.Telemetry;
using static DigitalTwin.Contract.Tests.Payloads;

namespace DigitalTwin.Contract.Tests.Telemetry;

public sealed class TelemetryParserTests
{
    private const string ContractExample = """
        { "ts": 1764028800123, "seq": 42,
          "signals": { "Vehicle.Speed": 87.5,
                       "Vehicle.CurrentLocation.Latitude": 52.5200,
                       "Vehicle.CurrentLocation.Longitude": 13.4050,
                       "Vehicle.Acceleration.Longitudinal": -0.4 } }
        """;

    private static ParseResult<TelemetryMessage> Parse(string json) => TelemetryParser.Parse(Utf8(json), ReceivedAt);

    private static string Doc(string signalsBody) => "{\"ts\":5,\"seq\":9,\"signals\":{" + signalsBody + "}}";

    [Fact]
    public void The_contract_example_parses_into_its_signals()
    {
        var result = Parse(ContractExample);

        Assert.True(result.IsSuccess);
        var message = result.Value!;
        Assert.Equal(1764028800123, message.Ts);
        Assert.Equal(42, message.Seq);
        Assert.Equal(ReceivedAt, message.ReceivedAt);
        Assert.Empty(result.Rejections);
        Assert.Equal(
            new[] { ("Vehicle.Speed", 87.5), ("Vehicle.CurrentLocation.Latitude", 52.52), ("Vehicle.CurrentLocation.Longitude", 13.405), ("Vehicle.Acceleration.Longitudinal", -0.4) },
            message.Signals.Select(s => (s.Name, s.Value.Number)));
    }

    [Fact]
    public void A_payload_split_into_one_byte_segments_parses_the_same()
    {
        var result = TelemetryParser.Parse(Fragmented(ContractExample), ReceivedAt);

        Assert.True(result.IsSuccess);
        Assert.Equal(4, result.Value!.Signals.Length);
        Assert.Equal("Vehicle.Speed", result.Value.Signals[0].Name);
    }

    [Fact]
    public void Known_signal_names_reuse_the_catalogue_string_instead_of_allocating()
    {
        var result = Parse(ContractExample);

        Assert.Same(SignalCatalogue.Speed, result.Value!.Signals[0].Name);
    }

    [Fact]
    public void Booleans_strings_and_unknown_well_formed_paths_are_kept_as_sent()
    {
        var result = Parse("""{"ts":1,"seq":1,"signals":{"Vehicle.Cabin.Seat.Row2.Pos3.Airbag.IsDeployed":true,"Vehicle.OBD.Custom_Code":"P0420","Vehicle.Body.Trunk.IsOpen":false,"Vehicle.Body.Lights.Count":3}}""");

        Assert.True(result.IsSuccess);
        var signals = result.Value!.Signals.ToDictionary(s => s.Name, s => s.Value);
        Assert.True(signals["Vehicle.Cabin.Seat.Row2.Pos3.Airbag.IsDeployed"].AsBoolean);
        Assert.Equal(SignalValue.FromText("P0420"), signals["Vehicle.OBD.Custom_Code"]);
        Assert.Equal(SignalValue.FromBoolean(false), signals["Vehicle.Body.Trunk.IsOpen"]);
        Assert.Equal(SignalValue.FromNumber(3), signals["Vehicle.Body.Lights.Count"]);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{")]
    [InlineData("{\"ts\":1,\"seq\":1,\"signals\":{\"Vehicle.Speed\":1}")]
    [InlineData("{\"ts\":1,\"seq\":1,\"signals\":{\"Vehicle.Speed\":1}}}")]
    [InlineData("{\"ts\":1,\"seq\":1,\"signals\":{}}{\"ts\":2,\"seq\":2,\"signals\":{}}")]
    [InlineData("{'ts':1}")]
    [InlineData("{\"ts\":1,\"seq\":1,\"signals\":{\"Vehicle.Speed\":NaN}}")]
    [InlineData("\uFEFF\uFEFF{}")]
    public void Malformed_JSON_is_refused_whole(string json)
    {
        var result = Parse(json);

        Assert.False(result.IsSuccess);
        Assert.Equal(RejectReason.MalformedJson, result.Error);
    }

    [Fact]
    public void Bytes_that_are_not_UTF8_are_refused()
    {
        var bytes = new byte[] { (byte)'{', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)':', (byte)'1', (byte)'}' };

        var result = TelemetryParser.Parse(new System.Buffers.ReadOnlySequence<byte>(bytes), ReceivedAt);

        Assert.False(result.IsSuccess);
    }

    [Theory]
    [InlineData("[]", "JSON object")]
    [InlineData("42", "JSON object")]
    [InlineData("{\"seq\":1,\"signals\":{}}", "'ts' is missing")]
    [InlineData("{\"ts\":1,\"signals\":{}}", "'seq' is missing")]
    [InlineData("{\"ts\":1,\"seq\":1}", "'signals' is missing")]
    [InlineData("{\"ts\":\"1764028800123\",\"seq\":1,\"signals\":{}}", "'ts' must be")]
    [InlineData("{\"ts\":0,\"seq\":1,\"signals\":{}}", "'ts' must be")]
    [InlineData("{\"ts\":-5,\"seq\":1,\"signals\":{}}", "'ts' must be")]
    [InlineData("{\"ts\":1.5,\"seq\":1,\"signals\":{}}", "'ts' must be")]
    [InlineData("{\"ts\":1,\"seq\":-1,\"signals\":{}}", "'seq' must be")]
    [InlineData("{\"ts\":1,\"seq\":99999999999999999999,\"signals\":{}}", "'seq' must be")]
    [InlineData("{\"ts\":1,\"seq\":null,\"signals\":{}}", "'seq' must be")]
    [InlineData("{\"ts\":1,\"seq\":1,\"signals\":[1,2]}", "'signals' must be")]
    [InlineData("{\"ts\":1,\"seq\":1,\"signals\":\"Vehicle.Speed=1\"}", "'signals' must be")]
    public void A_document_of_the_wrong_shape_is_refused_with_the_reason(string json, string detailFragment)
    {
        var result = Parse(json);

        Assert.False(result.IsSuccess);
        Assert.Equal(RejectReason.InvalidDocument, result.Error);
        Assert.Contains(detailFragment, result.Detail);
    }

    [Theory]
    [InlineData("\"Vehicle.Speed\":\"fast\"", RejectReason.WrongType)]
    [InlineData("\"Vehicle.Speed\":true", RejectReason.WrongType)]
    [InlineData("\"Vehicle.Speed\":{\"value\":1}", RejectReason.WrongType)]
    [InlineData("\"Vehicle.Speed\":[1]", RejectReason.WrongType)]
    [InlineData("\"Vehicle.Speed\":null", RejectReason.WrongType)]
    [InlineData("\"Vehicle.Speed\":1e400", RejectReason.WrongType)]
    [InlineData("\"Vehicle.Speed\":900", RejectReason.OutOfRange)]
    [InlineData("\"Vehicle.CurrentLocation.Latitude\":91", RejectReason.OutOfRange)]
    [InlineData("\"Vehicle.CurrentLocation.Longitude\":-180.5", RejectReason.OutOfRange)]
    [InlineData("\"Vehicle.Powertrain.TractionBattery.StateOfCharge.Current\":101", RejectReason.OutOfRange)]
    [InlineData("\"Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit\":80.5", RejectReason.WrongType)]
    [InlineData("\"Vehicle.Powertrain.TractionBattery.Charging.IsCharging\":1", RejectReason.WrongType)]
    [InlineData("\"Vehicle.Cabin.Seat.Row1.Pos1.Airbag.IsDeployed\":\"true\"", RejectReason.WrongType)]
    [InlineData("\"Vehicle.Exterior.AirTemperature\":-300", RejectReason.OutOfRange)]
    public void A_known_signal_with_a_bad_value_is_dropped_and_the_rest_of_the_document_still_counts(string badSignal, string reason)
    {
        var result = Parse(Doc(badSignal + ",\"Vehicle.TraveledDistance\":1200.5"));

        Assert.True(result.IsSuccess);
        var rejection = Assert.Single(result.Rejections);
        Assert.Equal(reason, rejection.Reason);
        Assert.Equal(badSignal.Split('"')[1], rejection.Signal);
        var kept = Assert.Single(result.Value!.Signals);
        Assert.Equal(SignalCatalogue.TraveledDistance, kept.Name);
    }

    [Theory]
    [InlineData("Speed")]
    [InlineData("vehicle.Speed")]
    [InlineData("Vehicle.")]
    [InlineData("Vehicle..Speed")]
    [InlineData("Vehicle.Speed.")]
    [InlineData("Vehicle.1Speed")]
    [InlineData("Vehicle.Spe ed")]
    [InlineData("Vehicle.Speed'; DROP TABLE twins;--")]
    [InlineData("Vehicle.Sp\u00E9ed")]
    [InlineData("Vehicle.\\u0053peed\\u0000")]
    public void A_signal_name_that_is_not_a_VSS_path_is_dropped_with_a_reason(string name)
    {
        var result = Parse(Doc("\"" + name + "\":1,\"Vehicle.Speed\":10"));

        Assert.True(result.IsSuccess);
        Assert.Equal(RejectReason.InvalidSignalName, Assert.Single(result.Rejections).Reason);
        Assert.Equal(SignalCatalogue.Speed, Assert.Single(result.Value!.Signals).Name);
    }

    [Fact]
    public void A_huge_signal_name_is_dropped_and_its_reported_name_is_truncated()
    {
        var name = "Vehicle." + new string('A', 5000);

        var result = Parse(Doc("\"" + name + "\":1"));

        var rejection = Assert.Single(result.Rejections);
        Assert.Equal(RejectReason.InvalidSignalName, rejection.Reason);
        Assert.True(rejection.Signal.Length < 100);
    }

    [Fact]
    public void An_escaped_known_name_is_recognised_as_that_signal()
    {
        var result = Parse("""{"ts":5,"seq":9,"signals":{"Vehicle.\u0053peed":12}}""");

        Assert.Equal(SignalCatalogue.Speed, Assert.Single(result.Value!.Signals).Name);
    }

    [Fact]
    public void A_string_value_longer_than_the_limit_is_dropped()
    {
        var text = new string('x', SignalCatalogue.MaxTextLength + 1);

        var result = Parse(Doc("\"Vehicle.OBD.Note\":\"" + text + "\""));

        Assert.Equal(RejectReason.WrongType, Assert.Single(result.Rejections).Reason);
        Assert.Empty(result.Value!.Signals);
    }

    [Fact]
    public void More_signals_than_the_limit_refuse_the_document()
    {
        var signals = string.Join(",", Enumerable.Range(0, TelemetryParser.MaxSignals + 1).Select(i => $"\"Vehicle.X.S{i}\":{i}"));

        var result = Parse(Doc(signals));

        Assert.Equal(RejectReason.TooManySignals, result.Error);
    }

    [Fact]
    public void An_oversized_payload_is_refused_before_it_is_parsed()
    {
        var padding = new string(' ', 2000);

        var result = TelemetryParser.Parse(Utf8("{\"ts\":1,\"seq\":1,\"signals\":{}}" + padding), ReceivedAt, maxPayloadBytes: 1024);

        Assert.Equal(RejectReason.PayloadTooLarge, result.Error);
    }

    [Fact]
    public void Deep_nesting_is_refused_without_overflowing_the_stack()
    {
        var deep = new string('[', 10_000) + new string(']', 10_000);

        var result = Parse(Doc("\"Vehicle.X\":" + deep));

        Assert.False(result.IsSuccess);
        Assert.Equal(RejectReason.MalformedJson, result.Error);
    }

    [Fact]
    public void Unknown_top_level_members_are_tolerated()
    {
        var result = Parse("""{"vin":"WDD2030461A123456","fw":{"v":[1,2]},"ts":1,"seq":3,"signals":{"Vehicle.Speed":1}}""");

        Assert.True(result.IsSuccess);
        Assert.Equal(3, result.Value!.Seq);
    }

    [Fact]
    public void A_duplicate_key_keeps_the_last_value_like_every_JSON_reader_people_compare_with()
    {
        var result = Parse("""{"ts":1,"seq":3,"signals":{"Vehicle.Speed":1,"Vehicle.Speed":2}}""");

        Assert.Equal(2, result.Value!.Signals.Length);
        Assert.Equal(2, result.Value.Signals[^1].Value.Number);
    }

    [Fact]
    public void A_document_parsed_after_another_keeps_only_its_own_signals()
    {
        var first = Parse(ContractExample).Value!;
        var second = Parse(Doc("\"Vehicle.Speed\": 12")).Value!;

        Assert.Equal(4, first.Signals.Length);
        Assert.Equal(87.5, first.Signals[0].Value.Number);
        var only = Assert.Single(second.Signals);
        Assert.Equal(12, only.Value.Number);
    }

    [Fact]
    public void A_document_after_a_refused_one_does_not_inherit_its_signals()
    {
        var refused = Parse("{\"ts\":5,\"seq\":9,\"signals\":{\"Vehicle.Speed\": 80, \"Vehicle.CurrentLocation.Latitude\": 52.5, \"x\": [}}");
        var next = Parse(Doc("\"Vehicle.CurrentLocation.Longitude\": 13.4"));

        Assert.False(refused.IsSuccess);
        var only = Assert.Single(next.Value!.Signals);
        Assert.Equal("Vehicle.CurrentLocation.Longitude", only.Name);
    }

    [Fact]
    public void A_document_after_one_with_the_most_signals_parses_exactly()
    {
        var many = string.Join(",", Enumerable.Range(0, TelemetryParser.MaxSignals).Select(i => $"\"Vehicle.Custom.S{i}\": {i}"));
        var large = Parse(Doc(many));
        var small = Parse(Doc("\"Vehicle.Speed\": 3"));

        Assert.Equal(TelemetryParser.MaxSignals, large.Value!.Signals.Length);
        Assert.Equal(3, Assert.Single(small.Value!.Signals).Value.Number);
    }
}
