namespace DigitalTwin.Grains.Abstractions.Commands;

/// <summary>Where a command is in its life; see <see cref="CommandLifecycle"/> for the allowed moves.</summary>
public enum CommandState
{
    /// <summary>Queued in the cloud, never handed to the car.</summary>
    Pending = 0,

    /// <summary>Published to the car; no ack yet.</summary>
    Sent = 1,

    /// <summary>The car took it on.</summary>
    Accepted = 2,

    /// <summary>The car carried it out.</summary>
    Completed = 3,

    /// <summary>The car refused it (for example a reason only the car knows).</summary>
    Rejected = 4,

    /// <summary>The car tried and did not succeed.</summary>
    Failed = 5,

    /// <summary>Its time to live passed before the car took it on.</summary>
    Expired = 6,

    /// <summary>
    /// Replaced, before it was ever sent, by a newer command of the same kind. Not in the contract's status list yet;
    /// see <see cref="CommandLifecycle.ToWire"/>.
    /// </summary>
    Superseded = 7,
}
