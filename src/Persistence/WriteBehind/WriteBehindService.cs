using DigitalTwin.Persistence.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DigitalTwin.Persistence.WriteBehind;

/// <summary>
/// The schedule shared by the write-behind writers: write every interval, back off exponentially while PostgreSQL
/// fails (the writer keeps its rows), report health, and on shutdown write whatever is still pending.
/// </summary>
public abstract partial class WriteBehindService : BackgroundService
{
    private readonly string _component;
    private readonly PersistenceHealth _health;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly BulkWriteGate _gate;

    protected WriteBehindService(string component, PersistenceHealth health, BulkWriteGate gate, ILogger logger, TimeProvider? timeProvider)
    {
        _component = component;
        _health = health;
        _gate = gate;
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Rows or snapshots not yet in PostgreSQL.</summary>
    public abstract int PendingCount { get; }

    protected abstract TimeSpan Interval { get; }

    protected abstract TimeSpan MaxRetryDelay { get; }

    /// <summary>Writes one batch; throws if PostgreSQL could not be written. Returns true if more is waiting already.</summary>
    protected abstract Task<bool> WriteOnceAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Runs before the writer takes its turn at the <see cref="BulkWriteGate"/>: waiting here (for another writer) holds
    /// up no one else.
    /// </summary>
    protected virtual Task BeforeWriteAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Round trip to PostgreSQL without writing, to learn that it is back while nothing waits to be written.</summary>
    protected abstract Task PingAsync(CancellationToken cancellationToken);

    /// <summary>Shutdown ran out of time: count what is left as dropped and return how much that was.</summary>
    protected abstract int AbandonPending();

    protected abstract void CountFailure();

    /// <summary>Writes everything pending, retrying with back-off until it is done or <paramref name="cancellationToken"/> fires.</summary>
    /// <returns>True if nothing is left pending.</returns>
    public async Task<bool> FlushAsync(CancellationToken cancellationToken)
    {
        var backoff = new RetryBackoff(Interval, MaxRetryDelay);
        while (PendingCount > 0)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                LogAbandoned(_logger, _component, AbandonPending());
                return false;
            }

            bool succeeded;
            try
            {
                (succeeded, _) = await AttemptAsync(backoff, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Out of time in the middle of a write: loop once more to count and log what is left.
                continue;
            }

            if (!succeeded)
            {
                try
                {
                    await Task.Delay(backoff.NextDelay(), _time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    // Loop once more so the abandoned rows are counted and logged.
                }
            }
        }

        return true;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = new RetryBackoff(Interval, MaxRetryDelay);
        var moreWaiting = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (!moreWaiting)
            {
                try
                {
                    await Task.Delay(backoff.NextDelay(), _time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            if (PendingCount == 0 && backoff.Failures == 0)
            {
                // Nothing at risk and nothing new to learn about the database.
                moreWaiting = false;
                continue;
            }

            try
            {
                (_, moreWaiting) = await AttemptAsync(backoff, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // StopAsync writes what is left.
                return;
            }
        }
    }

    private async Task<(bool Succeeded, bool MoreWaiting)> AttemptAsync(RetryBackoff backoff, CancellationToken cancellationToken)
    {
        try
        {
            var more = false;
            if (PendingCount > 0)
            {
                await BeforeWriteAsync(cancellationToken);
                using (await _gate.EnterAsync(cancellationToken))
                {
                    more = await WriteOnceAsync(cancellationToken);
                }
            }
            else
            {
                // Readiness stays degraded until a round trip succeeds, even if the backlog went another way.
                await PingAsync(cancellationToken);
            }

            if (backoff.Failures > 0)
            {
                LogRecovered(_logger, _component, backoff.Failures);
            }

            backoff.Reset();
            _health.ReportSuccess(_component);
            return (true, more);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            backoff.Failed();
            CountFailure();
            _health.ReportFailure(_component, ex);
            // The stack trace once per outage is enough; every retry after it says how long it has lasted.
            LogWriteFailed(_logger, backoff.Failures == 1 ? ex : null, _component, backoff.Failures, PendingCount, ex.Message);
            return (false, false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Component} to PostgreSQL failed ({Failures} in a row, {Pending} pending, kept in memory): {Error}")]
    private static partial void LogWriteFailed(ILogger logger, Exception? exception, string component, int failures, int pending, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Writing {Component} to PostgreSQL works again after {Failures} failed attempts")]
    private static partial void LogRecovered(ILogger logger, string component, int failures);

    [LoggerMessage(Level = LogLevel.Error, Message = "Shutdown ran out of time: {Count} pending {Component} were not written to PostgreSQL and are counted as dropped")]
    private static partial void LogAbandoned(ILogger logger, string component, int count);
}
