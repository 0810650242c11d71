using System.Text.Json;
using DigitalTwin.Grains.Abstractions.Commands;
using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Grains.Commands;

namespace DigitalTwin.Grains.Tests.Commands;

public sealed class CommandPolicyValidationTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 6, 0, 0, TimeSpan.Zero);
    private static readonly Guid Id = Guid.Parse("0b5c7a52-3a8e-4a7e-9d2e-5f0f3c1d9a10");
    private static readonly IReadOnlyDictionary<string, SignalReading> NoSignals = new Dictionary<string, SignalReading>();

    private readonly CommandPolicy _policy = new();

    [Theory]
    [InlineData("hvac.precondition", """{"targetTemperatureC": 21.5}""", """{"targetTemperatureC":21.5}""")]
    [InlineData("hvac.precondition", """{"targetTemperatureC": 16, "departureAt": "2026-11-24T07:30:00+01:00"}""", """{"targetTemperatureC":16,"departureAt":"2026-11-24T06:30:00.000Z"}""")]
    [InlineData("hvac.stop", null, "{}")]
    [InlineData("doors.lock", "{}", "{}")]
    [InlineData("doors.unlock", "  ", "{}")]
    [InlineData("charging.start", "null", "{}")]
    [InlineData("charging.stop", "{ }", "{}")]
    [InlineData("charging.setLimit", """{"limit": 80}""", """{"limit":80}""")]
    [InlineData("charging.setLimit", """{"limit": 100.0}""", """{"limit":100}""")]
    [InlineData("emergency.ack", """{"alertId": "WDD2030461A123456-crash-1764028800123"}""", """{"alertId":"WDD2030461A123456-crash-1764028800123"}""")]
    [InlineData("emergency.ack", null, "{}")]
    public void Valid_command_becomes_a_pending_command_with_canonical_params(string name, string? paramsJson, string expectedParams)
    {
        var decision = _policy.Decide(new CommandRequest(name, paramsJson, TtlSeconds: 120), NoSignals, Id, Now);

        Assert.Equal(CommandVerdict.Allowed, decision.Verdict);
        Assert.Empty(decision.Errors);
        var command = decision.Command!;
        Assert.Equal(Id, command.Id);
        Assert.Equal(name, command.Name);
        Assert.Equal(expectedParams, command.ParamsJson);
        Assert.Equal(CommandState.Pending, command.State);
        Assert.Equal(Now, command.CreatedAt);
        Assert.Equal(Now.AddSeconds(120), command.ExpiresAt);
    }

    [Fact]
    public void Missing_ttl_uses_the_configured_default()
    {
        var policy = new CommandPolicy(new CommandPolicyOptions { DefaultTtlSeconds = 900 });

        var command = policy.Decide(new CommandRequest("doors.lock"), NoSignals, Id, Now).Command!;

        Assert.Equal(Now.AddSeconds(900), command.ExpiresAt);
        Assert.Equal(Now.AddSeconds(600), new CommandPolicy().Decide(new CommandRequest("doors.lock"), NoSignals, Id, Now).Command!.ExpiresAt);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(86_400, true)]
    [InlineData(0, false)]
    [InlineData(-5, false)]
    [InlineData(86_401, false)]
    [InlineData(int.MaxValue, false)]
    public void Ttl_must_be_from_1_second_to_1_day(int ttl, bool valid)
    {
        var errors = _policy.Validate(new CommandRequest("doors.lock", null, ttl), Now);

        if (valid)
        {
            Assert.Empty(errors);
        }
        else
        {
            Assert.Equal("ttlSeconds", Assert.Single(errors).Field);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("doors.open")]
    [InlineData("DOORS.LOCK")]
    [InlineData("doors.lock ")]
    public void Unknown_or_missing_command_name_is_rejected_naming_the_field(string? name)
    {
        var error = Assert.Single(_policy.Validate(new CommandRequest(name, """{"limit": 80}"""), Now));

        Assert.Equal("name", error.Field);
        Assert.Contains("charging.setLimit", error.Reason);
    }

    [Fact]
    public void Huge_unknown_command_name_is_not_echoed_back()
    {
        var name = new string('x', 100_000);

        var error = Assert.Single(_policy.Validate(new CommandRequest(name), Now));

        Assert.Equal("name", error.Field);
        Assert.DoesNotContain("xxxx", error.Reason);
        Assert.True(error.Reason.Length < 300);
    }

    [Theory]
    [InlineData("""{}""", "is required")]
    [InlineData("""{"limit": "80"}""", "must be an integer")]
    [InlineData("""{"limit": 80.5}""", "must be an integer")]
    [InlineData("""{"limit": true}""", "must be an integer")]
    [InlineData("""{"limit": null}""", "must be an integer")]
    [InlineData("""{"limit": [80]}""", "must be an integer")]
    [InlineData("""{"limit": 49}""", "from 50 to 100")]
    [InlineData("""{"limit": 101}""", "from 50 to 100")]
    [InlineData("""{"limit": -80}""", "from 50 to 100")]
    [InlineData("""{"limit": 1e300}""", "from 50 to 100")]
    public void Charge_limit_must_be_an_integer_from_50_to_100(string paramsJson, string reason)
    {
        var error = Assert.Single(_policy.Validate(new CommandRequest("charging.setLimit", paramsJson), Now));

        Assert.Equal("params.limit", error.Field);
        Assert.Contains(reason, error.Reason);
    }

    [Theory]
    [InlineData("""{}""", "is required")]
    [InlineData("""{"departureAt": "2026-11-24T07:30:00Z"}""", "is required")]
    [InlineData("""{"targetTemperatureC": "21"}""", "must be a number")]
    [InlineData("""{"targetTemperatureC": null}""", "must be a number")]
    [InlineData("""{"targetTemperatureC": {"value": 21}}""", "must be a number")]
    [InlineData("""{"targetTemperatureC": 15.9}""", "from 16 to 28")]
    [InlineData("""{"targetTemperatureC": 28.1}""", "from 16 to 28")]
    [InlineData("""{"targetTemperatureC": -273}""", "from 16 to 28")]
    public void Precondition_target_must_be_a_number_from_16_to_28(string paramsJson, string reason)
    {
        var error = Assert.Single(_policy.Validate(new CommandRequest("hvac.precondition", paramsJson), Now));

        Assert.Equal("params.targetTemperatureC", error.Field);
        Assert.Contains(reason, error.Reason);
    }

    [Theory]
    [InlineData("\"2026-11-24T07:30:00\"", "with an offset")]
    [InlineData("\"2026-11-24\"", "with an offset")]
    [InlineData("\"24/11/2026 07:30 +01:00\"", "with an offset")]
    [InlineData("\"tomorrow morning\"", "with an offset")]
    [InlineData("\"2026-11-24T25:30:00Z\"", "with an offset")]
    [InlineData("1764057600000", "with an offset")]
    [InlineData("\"2026-11-24T05:59:59Z\"", "not in the future")]
    [InlineData("\"2026-11-24T06:00:00Z\"", "not in the future")]
    [InlineData("\"2026-12-01T06:00:01Z\"", "more than 168 hours ahead")]
    [InlineData("\"2027-11-24T07:30:00+01:00\"", "more than 168 hours ahead")]
    public void Precondition_departure_must_be_a_future_instant_with_an_offset_within_a_week(string departureJson, string reason)
    {
        var paramsJson = $$"""{"targetTemperatureC": 21, "departureAt": {{departureJson}}}""";

        var error = Assert.Single(_policy.Validate(new CommandRequest("hvac.precondition", paramsJson), Now));

        Assert.Equal("params.departureAt", error.Field);
        Assert.Contains(reason, error.Reason);
    }

    [Theory]
    [InlineData("\"2026-11-24T06:00:01Z\"")]
    [InlineData("\"2026-11-24T07:30+01:00\"")]
    [InlineData("\"2026-11-24T01:30:00.250-05:00\"")]
    [InlineData("\"2026-12-01T06:00:00Z\"")]
    public void Precondition_departure_accepts_iso_instants_with_any_offset(string departureJson)
    {
        var paramsJson = $$"""{"targetTemperatureC": 21, "departureAt": {{departureJson}}}""";

        Assert.Empty(_policy.Validate(new CommandRequest("hvac.precondition", paramsJson), Now));
    }

    [Fact]
    public void Departure_horizon_comes_from_the_options()
    {
        var policy = new CommandPolicy(new CommandPolicyOptions { MaxDepartureAhead = TimeSpan.FromHours(12) });
        const string paramsJson = """{"targetTemperatureC": 21, "departureAt": "2026-11-24T19:00:00Z"}""";

        var error = Assert.Single(policy.Validate(new CommandRequest("hvac.precondition", paramsJson), Now));

        Assert.Equal("params.departureAt", error.Field);
        Assert.Empty(_policy.Validate(new CommandRequest("hvac.precondition", paramsJson), Now));
    }

    [Theory]
    [InlineData("doors.lock", """{"force": true}""", "params.force", "which takes none")]
    [InlineData("charging.setLimit", """{"limit": 80, "Limit": 90}""", "params.Limit", "expected limit")]
    [InlineData("hvac.precondition", """{"targetTemperatureC": 21, "fan": "max"}""", "params.fan", "expected targetTemperatureC, departureAt")]
    public void Extra_parameters_are_rejected_by_name(string name, string paramsJson, string field, string reason)
    {
        var error = Assert.Single(_policy.Validate(new CommandRequest(name, paramsJson), Now));

        Assert.Equal(field, error.Field);
        Assert.Contains(reason, error.Reason);
    }

    [Fact]
    public void Parameter_given_twice_is_rejected_because_readers_disagree_on_which_wins()
    {
        var error = Assert.Single(_policy.Validate(new CommandRequest("charging.setLimit", """{"limit": 60, "limit": 100}"""), Now));

        Assert.Equal("params.limit", error.Field);
        Assert.Contains("more than once", error.Reason);
    }

    [Theory]
    [InlineData("[80]")]
    [InlineData("\"limit=80\"")]
    [InlineData("80")]
    [InlineData("true")]
    public void Params_that_are_not_an_object_are_rejected(string paramsJson)
    {
        var error = Assert.Single(_policy.Validate(new CommandRequest("charging.setLimit", paramsJson), Now));

        Assert.Equal("params", error.Field);
        Assert.Contains("JSON object", error.Reason);
    }

    [Theory]
    [InlineData("{limit: 80}")]
    [InlineData("""{"limit": 80""")]
    [InlineData("""{"limit": 80}}""")]
    [InlineData("""{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":1}}}}}}}}}""")]
    public void Params_that_are_not_valid_json_are_rejected(string paramsJson)
    {
        var error = Assert.Single(_policy.Validate(new CommandRequest("charging.setLimit", paramsJson), Now));

        Assert.Equal("params", error.Field);
        Assert.Contains("not valid JSON", error.Reason);
    }

    [Fact]
    public void Oversized_params_are_rejected_before_parsing_and_never_echoed()
    {
        var huge = JsonSerializer.Serialize(new { alertId = new string('A', 1_000_000) });

        var error = Assert.Single(_policy.Validate(new CommandRequest("emergency.ack", huge), Now));

        Assert.Equal("params", error.Field);
        Assert.Contains("limit is 4096", error.Reason);
        Assert.DoesNotContain("AAAA", error.Reason);
    }

    [Theory]
    [InlineData("""{"alertId": 42}""", "must be a string")]
    [InlineData("""{"alertId": ""}""", "1 to 128 characters")]
    public void Emergency_ack_alert_id_must_be_a_short_string(string paramsJson, string reason)
    {
        var error = Assert.Single(_policy.Validate(new CommandRequest("emergency.ack", paramsJson), Now));

        Assert.Equal("params.alertId", error.Field);
        Assert.Contains(reason, error.Reason);
    }

    [Fact]
    public void Long_string_within_the_params_limit_is_rejected_without_being_echoed()
    {
        var paramsJson = JsonSerializer.Serialize(new { alertId = new string('B', 129) });

        var error = Assert.Single(_policy.Validate(new CommandRequest("emergency.ack", paramsJson), Now));

        Assert.Equal("params.alertId", error.Field);
        Assert.DoesNotContain("BBBB", error.Reason);
    }

    [Fact]
    public void Long_unknown_parameter_name_is_cut_short_in_the_error()
    {
        var name = new string('k', 3_000);
        var paramsJson = $$"""{"{{name}}": 1}""";

        var error = Assert.Single(_policy.Validate(new CommandRequest("doors.lock", paramsJson), Now));

        Assert.StartsWith("params.kkkk", error.Field);
        Assert.True(error.Field.Length <= 80, $"field has {error.Field.Length} characters");
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var errors = _policy.Validate(
            new CommandRequest("hvac.precondition", """{"targetTemperatureC": 40, "departureAt": "yesterday", "colour": "red"}""", TtlSeconds: 0),
            Now);

        Assert.Equal(
            ["ttlSeconds", "params.colour", "params.targetTemperatureC", "params.departureAt"],
            errors.Select(e => e.Field));
    }

    [Fact]
    public void A_flood_of_bad_parameters_yields_a_bounded_list_of_errors()
    {
        var paramsJson = "{" + string.Join(",", Enumerable.Range(0, 300).Select(i => $"\"p{i}\":1")) + "}";

        var errors = _policy.Validate(new CommandRequest("doors.lock", paramsJson), Now);

        Assert.Equal(10, errors.Count);
    }

    [Fact]
    public void Invalid_request_is_decided_invalid_with_its_errors_and_no_command()
    {
        var decision = _policy.Decide(new CommandRequest("charging.setLimit", """{"limit": 10}"""), NoSignals, Id, Now);

        Assert.Equal(CommandVerdict.Invalid, decision.Verdict);
        Assert.Null(decision.Command);
        Assert.Equal("params.limit", Assert.Single(decision.Errors).Field);
    }

    [Fact]
    public void Decide_refuses_an_empty_command_id()
    {
        Assert.Throws<ArgumentException>(() => _policy.Decide(new CommandRequest("doors.lock"), NoSignals, Guid.Empty, Now));
    }
}
