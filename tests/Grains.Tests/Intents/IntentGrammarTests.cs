using System.Text.Json;
using DigitalTwin.Grains.Intents;

namespace DigitalTwin.Grains.Tests.Intents;

public sealed class IntentGrammarTests
{
    [Theory]
    [InlineData("Lock my car", IntentName.LockDoors)]
    [InlineData("please lock the doors", IntentName.LockDoors)]
    [InlineData("Unlock my car.", IntentName.UnlockDoors)]
    [InlineData("is my car locked?", IntentName.IsLocked)]
    [InlineData("Are the doors locked", IntentName.IsLocked)]
    [InlineData("warm up my car", IntentName.Precondition)]
    [InlineData("turn off the climate", IntentName.StopPreconditioning)]
    [InlineData("stop the heating", IntentName.StopPreconditioning)]
    [InlineData("start charging", IntentName.StartCharging)]
    [InlineData("charge my car", IntentName.StartCharging)]
    [InlineData("stop charging", IntentName.StopCharging)]
    [InlineData("set the charge limit to 80 percent", IntentName.SetChargeLimit)]
    [InlineData("what's my battery level", IntentName.BatteryLevel)]
    [InlineData("how much charge do I have left", IntentName.BatteryLevel)]
    [InlineData("what is my range", IntentName.Range)]
    [InlineData("how far can I drive", IntentName.Range)]
    [InlineData("where is my car", IntentName.WhereIsMyCar)]
    [InlineData("where did I park", IntentName.WhereIsMyCar)]
    public void Short_english_utterances_map_to_their_intent(string utterance, IntentName intent)
    {
        var parsed = IntentGrammar.Parse(utterance);

        Assert.Equal(IntentParseOutcome.Recognized, parsed.Outcome);
        Assert.Equal(intent, parsed.Name);
    }

    [Theory]
    [InlineData("warm up my car to 21 degrees at 7:30", 21.0, 7, 30)]
    [InlineData("Heat the car to 22.5°C at 6.45", 22.5, 6, 45)]
    [InlineData("precondition to 20 at 7 pm", 20.0, 19, 0)]
    [InlineData("cool my car at 12 am", null, 0, 0)]
    public void A_warm_up_carries_its_temperature_and_time_of_day(string utterance, double? temperature, int hour, int minute)
    {
        var parsed = IntentGrammar.Parse(utterance);

        Assert.Equal(IntentName.Precondition, parsed.Name);
        Assert.Equal(temperature, parsed.Slots.TemperatureC);
        Assert.Equal(new TimeOnly(hour, minute), parsed.Slots.At);
    }

    [Fact]
    public void A_charge_limit_carries_its_percentage()
    {
        Assert.Equal(80, IntentGrammar.Parse("charge to 80%").Slots.Limit);
        Assert.Equal(90, IntentGrammar.Parse("set the charge limit to 90 percent").Slots.Limit);
        Assert.Null(IntentGrammar.Parse("set the charge limit to 250 percent").Slots.Limit);
    }

    [Theory]
    [InlineData("lock and unlock my car")]
    [InlineData("where is my car and what is its range")]
    public void An_utterance_that_asks_for_two_things_is_ambiguous_and_names_them(string utterance)
    {
        var parsed = IntentGrammar.Parse(utterance);

        Assert.Equal(IntentParseOutcome.Ambiguous, parsed.Outcome);
        Assert.Equal(2, parsed.Candidates.Count);
    }

    [Theory]
    [InlineData("sing me a song")]
    [InlineData("'; DROP TABLE commands; --")]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("\u0000\u0001\u0002")]
    [InlineData("ℓøçk мой car")]
    public void Words_it_does_not_know_are_unknown_not_an_error(string utterance)
    {
        var parsed = IntentGrammar.Parse(utterance);

        Assert.Equal(IntentParseOutcome.Unknown, parsed.Outcome);
        Assert.Null(parsed.Problem);
    }

    [Fact]
    public void An_empty_or_huge_utterance_is_a_problem_with_the_request()
    {
        Assert.NotNull(IntentGrammar.Parse("").Problem);
        Assert.NotNull(IntentGrammar.Parse(new string('a', 100_000)).Problem);
    }

    [Fact]
    public void A_structured_intent_reads_its_slots_and_refuses_unknown_names_and_slots()
    {
        using var slots = JsonDocument.Parse("""{"temperature":21,"at":"07:30"}""");
        var parsed = IntentGrammar.FromStructured("precondition", slots.RootElement);
        Assert.Equal(IntentName.Precondition, parsed.Name);
        Assert.Equal(21, parsed.Slots.TemperatureC);
        Assert.Equal(new TimeOnly(7, 30), parsed.Slots.At);

        using var instant = JsonDocument.Parse("""{"at":"2026-11-25T07:30:00+01:00"}""");
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 6, 30, 0, TimeSpan.Zero), IntentGrammar.FromStructured("Precondition", instant.RootElement).Slots.AtInstant);

        using var bad = JsonDocument.Parse("""{"colour":"red"}""");
        Assert.NotNull(IntentGrammar.FromStructured("LockDoors", bad.RootElement).Problem);
        Assert.NotNull(IntentGrammar.FromStructured("SelfDestruct", null).Problem);
        Assert.NotNull(IntentGrammar.FromStructured("3", null).Problem);
        using var localTime = JsonDocument.Parse("""{"at":"2026-11-25T07:30:00"}""");
        Assert.NotNull(IntentGrammar.FromStructured("Precondition", localTime.RootElement).Problem);
    }
}
