using DigitalTwin.Contract;
using DigitalTwin.Grains.Abstractions.Vehicles;

namespace DigitalTwin.Grains.Vehicles;

/// <summary>
/// The car's sessions: online and offline from the gateway's connect and disconnect, and the link to the gateway
/// that holds its session, through which <see cref="SendToCarAsync"/> reaches the car on whichever silo that is.
/// </summary>
public sealed partial class VehicleGrain
{
    private const int MaxOutbox = 64;

    private string? _sessionId;
    private ICarLink? _carLink;
    // Made on first use: most twins never wait for a car to listen.
    private List<CarMessage>? _outbox;

    /// <summary>The car has subscribed to its commands on its current session.</summary>
    private bool IsCarListening => _carLink is not null;

    public async ValueTask ConnectionOpened(string sessionId, DateTimeOffset at)
    {
        _sessionId = sessionId;
        _carLink = null;
        if (_state.ReportConnectivity(true, at))
        {
            await ChangedAsync();
        }
    }

    public async ValueTask ConnectionClosed(string sessionId, DateTimeOffset at)
    {
        if (!string.Equals(sessionId, _sessionId, StringComparison.Ordinal))
        {
            return;
        }

        _sessionId = null;
        _carLink = null;
        if (_state.ReportConnectivity(false, at))
        {
            await ChangedAsync();
        }
    }

    public async ValueTask CommandChannelOpened(string sessionId, ICarLink link)
    {
        if (!string.Equals(sessionId, _sessionId, StringComparison.Ordinal))
        {
            return;
        }

        _carLink = link;
        var waiting = _outbox;
        _outbox = null;
        foreach (var message in waiting ?? [])
        {
            await SendToCarAsync(message);
        }

        await DeliverCommandsAsync();
    }

    /// <summary>
    /// Through the gateway that holds the car's session, whichever silo that is; held here until the car
    /// subscribes to its commands when it is not reachable now. Queued commands have their own, durable queue
    /// (<see cref="Commands.CommandQueue"/>); this outbox only holds what is fine to lose with the activation.
    /// </summary>
    private async ValueTask SendToCarAsync(CarMessage message)
    {
        if (_carLink is { } link)
        {
            try
            {
                await link.Send(message);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The gateway went away with its silo; the car will reconnect somewhere and listen again.
                LogPublishFailed(logger, ex, _state.Vin, message.GetType().Name);
                _carLink = null;
            }
        }

        _outbox ??= [];
        if (_outbox.Count >= MaxOutbox)
        {
            _outbox.RemoveAt(0);
        }

        _outbox.Add(message);
    }
}
