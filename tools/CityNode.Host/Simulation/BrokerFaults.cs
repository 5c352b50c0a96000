using System.Diagnostics;
using CityNode.Host.Mqtt;
using CityNode.Host.Receiving;

namespace CityNode.Host.Simulation;

/// <summary>
/// What the simulation does to the broker and the receiver when the fault schedule says so: planned
/// restarts, crashes that lose what the broker had acknowledged, a receiver that falls behind, and
/// keeping the check receiver connected to an external broker. Counts what it did, and what was lost.
/// </summary>
public sealed class BrokerFaults
{
    /// <summary>
    /// Virtual time before a crash during which the receiver is away (a receiver restarting, or
    /// lagging under load): the broker has acknowledged the nodes' batches and queues them for it.
    /// </summary>
    public const long CrashLagMs = 30 * 60 * 1000;

    /// <summary>
    /// Virtual time a restart or crash keeps the broker away at most. The host takes wall time to
    /// drain, restart and republish (seconds), which nodes stepping at full speed would live as hours
    /// of backoff; a broker restarted by its service manager is back within a minute or two, so past
    /// this the city waits for it (<see cref="HoldsCityAt"/>).
    /// </summary>
    public const long MaxOutageMs = 2 * 60 * 1000;

    private readonly EmbeddedBroker? _broker;
    private readonly Receiver _receiver;
    private int _restarts;
    private int _crashes;
    private long _lostInCrashes; // publishes the broker had accepted and never delivered

    public BrokerFaults(EmbeddedBroker? broker, Receiver receiver)
    {
        _broker = broker;
        _receiver = receiver;
    }

    public int Restarts => _restarts;

    /// <summary>What the backend publishes again once the broker is back from a restart or crash without its retained messages (the --ota release).</summary>
    public Func<Task>? Restarted { get; init; }

    public int Crashes => _crashes;

    /// <summary>The broker action under way: one at a time.</summary>
    public Task Current { get; private set; } = Task.CompletedTask;

    public bool Idle => Current.IsCompleted;

    /// <summary>Virtual time of the turn that started the broker's restart or crash under way (null when none is).</summary>
    private long? _outageFromMs;

    public void Restart(long nowMs)
    {
        _outageFromMs = nowMs;
        Current = RestartAsync();
    }

    public void Crash(long nowMs)
    {
        _outageFromMs = nowMs;
        Current = CrashAsync();
    }

    /// <summary>
    /// True when a node at <paramref name="nowMs"/> (the city's furthest behind) is past the
    /// <see cref="MaxOutageMs"/> of a restart or crash still under way: the scheduler must wait for it.
    /// </summary>
    public bool HoldsCityAt(long nowMs) => !Current.IsCompleted && _outageFromMs is long from && nowMs >= from + MaxOutageMs;

    /// <summary>The receiver falls behind: the broker queues for it.</summary>
    public void LagReceiver()
    {
        _outageFromMs = null;
        Current = _receiver.PauseAsync();
    }

    /// <summary>
    /// A planned broker restart: refuse nodes, let the receiver take what the broker already
    /// acknowledged, restart (every session and queue is gone: persistence off), resubscribe the
    /// receiver, then let nodes back in. Nodes that try meanwhile fail and back off.
    /// </summary>
    private async Task RestartAsync()
    {
        var broker = _broker!;
        broker.AcceptNodes = false;
        var sw = Stopwatch.StartNew();
        while (Received() < broker.Accepted && sw.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(20);
        }

        await broker.RestartAsync();
        await _receiver.ReconnectAsync();
        broker.AcceptNodes = true;
        if (Restarted is { } republish)
        {
            // After the nodes are let in: the republish keeps them out no longer than the restart does
            // (they run on in virtual time, and a trial kept out through its boots rolls back); a node
            // that subscribes to a chunk before it is here gets it when it comes.
            await republish();
        }

        Interlocked.Increment(ref _restarts);
    }

    /// <summary>
    /// A broker crash: gone at once with whatever it had acknowledged and not yet delivered (here the
    /// queue of a receiver that was away for <see cref="CrashLagMs"/>), every session and every
    /// retained message; back on the same port a moment later. The receiver connects and subscribes again.
    /// </summary>
    private async Task CrashAsync()
    {
        await _broker!.RestartAsync();
        Interlocked.Add(ref _lostInCrashes, Math.Max(0, _broker.Accepted - Interlocked.Read(ref _lostInCrashes) - Received()));
        await _receiver.EnsureConnectedAsync();
        if (Restarted is { } republish)
        {
            await republish();
        }

        Interlocked.Increment(ref _crashes);
    }

    /// <summary>
    /// Against an external broker: a broker that restarts (or crashes) comes back without the
    /// receiver's session, so the receiver connects and subscribes again, as <c>citynode receive</c> does.
    /// </summary>
    public async Task KeepReceiverConnectedAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(500, ct);
                if (!_receiver.IsConnected)
                {
                    await _receiver.EnsureConnectedAsync(ct);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                // The broker is still down: try again shortly.
            }
        }
    }

    /// <summary>Waits until the receiver has had every publish the broker accepted and did not lose (or, on an external broker, every one the nodes saw acknowledged).</summary>
    public async Task WaitForReceiverAsync(long nodesAcknowledged, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout && (_broker is null ? Received() < nodesAcknowledged : Received() < _broker.Accepted - Interlocked.Read(ref _lostInCrashes)))
        {
            await Task.Delay(50);
        }
    }

    private long Received() => _receiver.Stats.Batches + _receiver.Stats.DuplicatesSuppressed + _receiver.Stats.Rejected;
}
