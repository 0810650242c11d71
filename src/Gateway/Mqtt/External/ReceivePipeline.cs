using System.Threading.Channels;
using DigitalTwin.Contract.Topics;
using MQTTnet;

namespace DigitalTwin.Gateway.Mqtt.External;

/// <summary>
/// What one connection to the broker received, on its way to the twins and back as acknowledgements. MQTTnet hands
/// messages over one at a time on its receive loop; awaiting a grain there would apply one message at a time. Instead
/// each message goes to one of <c>Concurrency</c> lanes chosen by its VIN, so one car's messages are applied one
/// after another in the order they arrived while other cars' are applied beside them; and the acknowledgements leave
/// in the order the messages arrived (MQTT 5 section 4.6), each only once its message is applied. A message that could
/// not be applied stops the acknowledgements there: the broker sends it, and everything after it, again on the next
/// connection.
/// </summary>
internal sealed class ReceivePipeline : IAsyncDisposable
{
    private readonly Channel<Received> _inOrder = Channel.CreateUnbounded<Received>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Channel<Received>[] _lanes;
    private readonly Task[] _workers;
    private readonly Task _acknowledger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<Received, CancellationToken, Task<bool>> _apply;
    private readonly Action<string> _gaveUp;

    /// <param name="apply">Applies one message; false when it could not be (it must not be acknowledged).</param>
    /// <param name="gaveUp">Called once, with the reason, when a message was not applied: the connection must go.</param>
    public ReceivePipeline(int concurrency, Func<Received, CancellationToken, Task<bool>> apply, Action<string> gaveUp)
    {
        _apply = apply;
        _gaveUp = gaveUp;
        _lanes = new Channel<Received>[concurrency];
        _workers = new Task[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            var lane = _lanes[i] = Channel.CreateUnbounded<Received>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            _workers[i] = Task.Run(() => WorkAsync(lane.Reader, _stop.Token));
        }

        _acknowledger = Task.Run(() => AcknowledgeAsync(_stop.Token));
    }

    /// <summary>Messages received and not yet acknowledged (bounded by the broker's in-flight window).</summary>
    public int Pending => _inOrder.Reader.Count;

    /// <summary>Called on MQTTnet's receive loop: takes the message and returns at once.</summary>
    public void Enqueue(MqttApplicationMessageReceivedEventArgs e)
    {
        e.AutoAcknowledge = false;
        var topic = e.ApplicationMessage.Topic;
        var target = VehicleTopic.Parse(topic);
        var received = new Received(e, topic, target);
        // A topic that names no car is refused by the ingress; any lane will do for that.
        var lane = target.IsSuccess ? (int)((uint)StringComparer.Ordinal.GetHashCode(target.Value.Vin) % (uint)_lanes.Length) : 0;
        _inOrder.Writer.TryWrite(received);
        _lanes[lane].Writer.TryWrite(received);
    }

    private async Task WorkAsync(ChannelReader<Received> lane, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var received in lane.ReadAllAsync(cancellationToken))
            {
                var applied = await _apply(received, cancellationToken);
                received.Done.TrySetResult(applied);
                if (!applied)
                {
                    // The car's later messages must not overtake this one: the lane stops with the connection.
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task AcknowledgeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var received in _inOrder.Reader.ReadAllAsync(cancellationToken))
            {
                if (!await received.Done.Task.WaitAsync(cancellationToken))
                {
                    _gaveUp($"a message on {received.Topic} could not be applied");
                    return;
                }

                await received.Args.AcknowledgeAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            // The connection broke under the acknowledgement; the broker sends the rest again on the next one.
            _gaveUp($"acknowledging failed: {ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>Stops taking work; messages being applied finish or are cancelled, none is acknowledged any more.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var lane in _lanes)
        {
            lane.Writer.TryComplete();
        }

        _inOrder.Writer.TryComplete();
        await Task.WhenAll([.. _workers, _acknowledger]);
        _stop.Dispose();
    }
}

/// <summary>One message from the broker, the contract topic it names (or why not), and whether it was applied.</summary>
internal sealed class Received(MqttApplicationMessageReceivedEventArgs args, string topic, Contract.ParseResult<VehicleTopic> target)
{
    public MqttApplicationMessageReceivedEventArgs Args { get; } = args;

    public string Topic { get; } = topic;

    public Contract.ParseResult<VehicleTopic> Target { get; } = target;

    public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
