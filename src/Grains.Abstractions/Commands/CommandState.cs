using System.Text.Json.Serialization;

namespace DigitalTwin.Grains.Abstractions.Commands;

/// <summary>Where a command is in its life; <c>CommandLifecycle</c> knows the allowed moves.</summary>
public enum CommandState
{
    /// <summary>Queued in the cloud, never handed to the car.</summary>
    [JsonStringEnumMemberName("pending")]
    Pending = 0,

    /// <summary>Published to the car; no ack yet.</summary>
    [JsonStringEnumMemberName("sent")]
    Sent = 1,

    /// <summary>The car took it on.</summary>
    [JsonStringEnumMemberName("accepted")]
    Accepted = 2,

    /// <summary>The car carried it out.</summary>
    [JsonStringEnumMemberName("completed")]
    Completed = 3,

    /// <summary>The car refused it (for example a reason only the car knows).</summary>
    [JsonStringEnumMemberName("rejected")]
    Rejected = 4,

    /// <summary>The car tried and did not succeed.</summary>
    [JsonStringEnumMemberName("failed")]
    Failed = 5,

    /// <summary>Its time to live passed before the car took it on.</summary>
    [JsonStringEnumMemberName("expired")]
    Expired = 6,

    /// <summary>
    /// Replaced, before it was ever sent, by a newer command of the same kind. Not in the contract's status list: it reads
    /// as <c>expired</c> there (<see cref="CommandStateExtensions.AsContractStatus"/>).
    /// </summary>
    [JsonStringEnumMemberName("superseded")]
    Superseded = 7,
}

public static class CommandStateExtensions
{
    /// <summary>
    /// The status the contract shows for a state. A command superseded by a newer one of its kind was never sent and
    /// is no longer meant, so it reads as <c>expired</c>, the listed status closest in meaning.
    /// </summary>
    public static CommandState AsContractStatus(this CommandState state) =>
        state == CommandState.Superseded ? CommandState.Expired : state;
}
