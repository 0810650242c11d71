using System.Text.Json;

namespace DigitalTwin.Api.Intents;

/// <param name="Utterance">A short English sentence, e.g. "warm up my car to 21 degrees at 7:30" (at most 300 characters).</param>
/// <param name="Intent">Instead of an utterance: LockDoors, UnlockDoors, IsLocked, Precondition, StopPreconditioning, StartCharging, StopCharging, SetChargeLimit, BatteryLevel, Range or WhereIsMyCar.</param>
/// <param name="Slots">The structured intent's slots: temperature (number, Celsius), at (HH:mm or ISO 8601 with offset), limit (integer percent).</param>
/// <param name="TimeZone">The IANA time zone a spoken time of day is in (default UTC), e.g. Europe/Berlin.</param>
public sealed record IntentRequest(string? Utterance, string? Intent, JsonElement? Slots, string? TimeZone);
