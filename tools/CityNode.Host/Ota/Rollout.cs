using System.Text;
using System.Threading.Channels;
using CityNode.Ota;
using CityNode.Telemetry;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;

namespace CityNode.Host.Ota;

/// <summary>What became of one node in a rollout.</summary>
public enum RolloutOutcome
{
    /// <summary>Its manifest is out; no verdict yet.</summary>
    Pending,
    /// <summary>It reported <c>state=confirmed</c> with the release's counter.</summary>
    Updated,
    /// <summary>It rolled back or refused the manifest.</summary>
    Failed,
    /// <summary>No verdict within --timeout (counted as a failure: a silent node cannot be told from a broken one).</summary>
    TimedOut,
    /// <summary>The rollout halted before its wave: it never got a manifest.</summary>
    NotStarted,
    /// <summary>The rollout halted while its manifest was out and it had not reported starting: the manifest was withdrawn.</summary>
    Withdrawn,
}

/// <summary>One node's line of the rollout's summary.</summary>
public sealed class RolloutNode(uint node, int wave)
{
    public uint Node { get; } = node;

    /// <summary>1 the canary wave, 2 the rest.</summary>
    public int Wave { get; } = wave;

    public RolloutOutcome Outcome { get; set; } = RolloutOutcome.NotStarted;

    /// <summary>The last report the node published (null: none seen).</summary>
    public OtaStateReport? Last { get; set; }

    /// <summary>The node reported something after its manifest went out (it took the manifest, or answered it).</summary>
    public bool Answered { get; set; }

    /// <summary>Why it failed (rolled back, refused, no answer).</summary>
    public string? Reason { get; set; }
}

/// <summary>The rollout's end: every node's outcome, and whether (and why) it halted.</summary>
public sealed record RolloutResult(IReadOnlyList<RolloutNode> Nodes, bool Halted, string? HaltReason)
{
    public int Updated => Nodes.Count(n => n.Outcome == RolloutOutcome.Updated);

    public int Failed => Nodes.Count(n => n.Outcome is RolloutOutcome.Failed or RolloutOutcome.TimedOut);

    public bool AllUpdated => Nodes.All(n => n.Outcome == RolloutOutcome.Updated);
}

/// <summary>
/// <c>citynode ota</c>'s rollout (docs/ota.md, "Rollout"): the release's chunks are published once,
/// retained, for the whole fleet; each node gets its own manifest, retained and signed with its key,
/// first the canary wave, then — only if the failures so far are at most <c>maxFailures</c> — all the
/// others. A node's verdict comes from its retained state topic: confirmed with the release's counter,
/// or rolled back / manifest refused. When the failures exceed <c>maxFailures</c> the rollout halts:
/// later waves get no manifest, and a manifest still out to a node that has not answered it is
/// withdrawn (an empty retained message), so a node asleep through the halt never takes the release.
/// A node already downloading keeps going: its own trial and rollback protect it.
/// When the broker connection drops (a broker restart without persistence forgets every retained
/// message and our subscriptions), the rollout connects again, subscribes again and publishes again
/// what the broker must hold: see <see cref="ReconnectAsync"/>.
/// </summary>
public sealed class Rollout
{
    /// <summary>The longest wait between two reconnect attempts (they start at <see cref="FirstBackoff"/> and double).</summary>
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);

    private readonly IMqttClient _client;
    private readonly Release _release;
    private readonly IReadOnlyDictionary<uint, byte[]> _keys;
    private readonly Action<string> _progress;
    private readonly Func<CancellationToken, Task> _reconnect;

    // Reports from the nodes, and the connection's loss (Report null), in the order they happened.
    private readonly Channel<Heard> _heard = Channel.CreateUnbounded<Heard>();
    private List<RolloutNode> _all = new();

    private readonly record struct Heard(uint Node, OtaStateReport? Report, bool Retained, string? Lost = null);

    /// <param name="client">Connected, with an account that may write <c>citynode/+/ota</c> and <c>citynode/ota/#</c> and read <c>citynode/+/ota/state</c> (provision's backend ACL).</param>
    /// <param name="keys">Each node's OTA key (<see cref="OtaKeyStore"/>).</param>
    /// <param name="reconnect">One attempt to connect <paramref name="client"/> again (throws if it fails); null: with the options it was connected with.</param>
    public Rollout(IMqttClient client, Release release, IReadOnlyDictionary<uint, byte[]> keys, Action<string> progress, Func<CancellationToken, Task>? reconnect = null)
    {
        _client = client;
        _release = release;
        _keys = keys;
        _progress = progress;
        _reconnect = reconnect ?? (c => client.ReconnectAsync(c));
    }

    /// <summary>Rolls the release out to <paramref name="nodes"/> (the first <paramref name="canary"/> are the canary wave).</summary>
    /// <param name="timeout">How long each wave may take to give every verdict (a reconnect included).</param>
    public async Task<RolloutResult> RunAsync(IReadOnlyList<uint> nodes, int canary, int maxFailures, TimeSpan timeout, CancellationToken ct)
    {
        int firstWave = Math.Clamp(canary, 1, nodes.Count);
        var all = nodes.Select((n, i) => new RolloutNode(n, i < firstWave ? 1 : 2)).ToList();
        _all = all;
        var byId = all.ToDictionary(n => n.Node);
        var byStateTopic = all.ToDictionary(n => Topics.OtaState(n.Node), n => n.Node);
        _client.ApplicationMessageReceivedAsync += e =>
        {
            if (byStateTopic.TryGetValue(e.ApplicationMessage.Topic, out uint node)
                && OtaStateReport.Parse(Encoding.ASCII.GetString(e.ApplicationMessage.Payload)) is { } report)
            {
                _heard.Writer.TryWrite(new Heard(node, report, e.ApplicationMessage.Retain));
            }

            return Task.CompletedTask;
        };
        _client.DisconnectedAsync += e =>
        {
            if (e.ClientWasConnected)
            {
                _heard.Writer.TryWrite(new Heard(0, null, false, e.Exception?.Message ?? e.ReasonString ?? e.Reason.ToString()));
            }

            return Task.CompletedTask;
        };

        // Subscribe before anything is published, so no answer slips past; the retained report each
        // node holds from before arrives first, flagged retained (MQTT 5 §3.3.1.3).
        await SubscribeAsync(ct);

        await PublishingAsync(() => PublishChunksAsync(_client, _release, ct), null, timeout, ct);

        _progress($"chunks: {_release.ChunkCount} × {Release.ChunkSize} B ({_release.TotalBytes:N0} B) published retained on {Topics.OtaChunk(_release.Counter, 0)}…{_release.ChunkCount - 1}");

        for (int wave = 1; wave <= 2; wave++)
        {
            var members = all.Where(n => n.Wave == wave).ToList();
            if (members.Count == 0)
            {
                continue;
            }

            _progress($"wave {wave} ({(wave == 1 ? "canary" : "the rest")}): {members.Count} node{(members.Count == 1 ? "" : "s")}, {string.Join(", ", members.Select(m => m.Node))}");
            string? halt = await WaveAsync(all, byId, members, maxFailures, timeout, ct);
            if (halt is not null)
            {
                foreach (var n in all.Where(n => n.Outcome == RolloutOutcome.Pending && !n.Answered))
                {
                    // Marked first: a reconnect meanwhile publishes the withdrawal again.
                    n.Outcome = RolloutOutcome.Withdrawn;
                    await PublishingAsync(() => PublishRetainedAsync(_client, Topics.Ota(n.Node), [], ct), null, timeout, ct);
                    _progress($"node {n.Node}: manifest withdrawn (it had not started)");
                }

                return new RolloutResult(all, true, halt);
            }
        }

        return new RolloutResult(all, false, null);
    }

    /// <summary>Publishes the wave's manifests and reads reports until every member has a verdict or the wave's time is up; returns why the rollout halts, or null.</summary>
    private async Task<string?> WaveAsync(List<RolloutNode> all, Dictionary<uint, RolloutNode> byId, List<RolloutNode> members, int maxFailures, TimeSpan timeout, CancellationToken ct)
    {
        string? Halt() => all.Count(n => n.Outcome is RolloutOutcome.Failed or RolloutOutcome.TimedOut) is int f && f > maxFailures
            ? $"{f} node{(f == 1 ? "" : "s")} failed, more than --max-failures {maxFailures}"
            : null;

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            foreach (var n in members)
            {
                // Pending before the publish: a reconnect meanwhile publishes this manifest again.
                n.Outcome = RolloutOutcome.Pending;
                await PublishingAsync(() => PublishManifestAsync(_client, _release, n.Node, _keys[n.Node], ct), deadline.Token, timeout, ct);
            }

            while (members.Any(n => n.Outcome == RolloutOutcome.Pending))
            {
                var (id, report, retained, lost) = await _heard.Reader.ReadAsync(deadline.Token);
                if (report is null)
                {
                    // Already connected again: a publish noticed the loss first and reconnected.
                    if (!_client.IsConnected)
                    {
                        await ReconnectAsync(lost!, deadline.Token, ct);
                    }

                    continue;
                }

                var n = byId[id];
                n.Last = report;
                if (n.Outcome != RolloutOutcome.Pending)
                {
                    continue;
                }

                if (report.ConfirmedOn(_release.Counter))
                {
                    n.Outcome = RolloutOutcome.Updated;
                    _progress($"node {id}: confirmed {report.Version ?? OtaVersion.Format(_release.Version)} (counter {report.Counter})");
                    continue;
                }

                // A report retained from before this rollout says nothing about this release. The
                // same holds at a subscription again after a reconnect: what the broker hands over
                // flagged retained cannot be told from what it held before the rollout.
                if (retained)
                {
                    continue;
                }

                n.Answered = true;
                if (report.FailureReason() is { } why)
                {
                    n.Outcome = RolloutOutcome.Failed;
                    n.Reason = why;
                    _progress($"node {id}: FAILED: {why}");
                    if (Halt() is { } halt)
                    {
                        return halt;
                    }

                    continue;
                }

                _progress($"node {id}: {report.State}" + (report.Total > 0 ? $" {report.Received:N0}/{report.Total:N0} B" : ""));
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            foreach (var n in members.Where(n => n.Outcome == RolloutOutcome.Pending))
            {
                n.Outcome = RolloutOutcome.TimedOut;
                n.Reason = $"no verdict within {CityNode.Config.ValueParser.FormatDuration((long)timeout.TotalSeconds)} (last report: {(n.Answered && n.Last is { } l ? l.State + (l.Total > 0 ? $" {l.Received}/{l.Total} B" : "") : "none since its manifest went out")})";
                _progress($"node {n.Node}: FAILED: {n.Reason}");
            }
        }

        return Halt();
    }

    /// <summary>Subscribes to every target's state topic.</summary>
    private async Task SubscribeAsync(CancellationToken ct)
    {
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var n in _all)
        {
            subscribe.WithTopicFilter(f => f.WithTopic(Topics.OtaState(n.Node)).WithAtLeastOnceQoS());
        }

        await _client.SubscribeAsync(subscribe.Build(), ct);
    }

    /// <summary>
    /// Runs a publish step; if the connection drops under it, reconnects (which publishes what the step
    /// was publishing: it is marked before — chunks always, manifests Pending, withdrawals Withdrawn —
    /// so the step is not run again). Within a wave the wave's <paramref name="wave"/> deadline bounds
    /// the reconnect (its end times the wave out); outside one, a window of <paramref name="timeout"/>,
    /// after which the rollout stops as the broker unreachable.
    /// </summary>
    private async Task PublishingAsync(Func<Task> step, CancellationToken? wave, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            await step();
        }
        catch (Exception e) when (ConnectionLost(e, ct))
        {
            if (wave is { } deadline)
            {
                await ReconnectAsync(e.Message, deadline, ct);
                return;
            }

            using var until = CancellationTokenSource.CreateLinkedTokenSource(ct);
            until.CancelAfter(timeout);
            try
            {
                await ReconnectAsync(e.Message, until.Token, ct);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new Mqtt.BrokerException($"the broker connection was lost ({e.Message}) and could not be made again within {CityNode.Config.ValueParser.FormatDuration((long)timeout.TotalSeconds)} (--timeout); run citynode ota again once the broker is back: the nodes resume their downloads where they were", e);
            }
        }
    }

    /// <summary>A publish or subscribe that failed because the connection went (MQTTnet's communication errors, or its own cancellation of the packets in flight), not by the caller's cancellation.</summary>
    private bool ConnectionLost(Exception e, CancellationToken ct) =>
        !ct.IsCancellationRequested && (e is MqttCommunicationException || (e is OperationCanceledException && !_client.IsConnected));

    /// <summary>
    /// After the connection dropped: connects again (attempts <see cref="FirstBackoff"/> apart, doubling
    /// up to <see cref="MaxBackoff"/>, until <paramref name="deadline"/>), subscribes again to every
    /// state topic (a broker restarted without persistence forgot the session and its subscriptions) and
    /// publishes again what the broker must hold: every chunk, the manifest of every node whose manifest
    /// is out without a verdict yet (Pending), and the withdrawals. A broker that kept its retained
    /// messages gets the same messages again, which nodes ignore as redeliveries.
    /// </summary>
    private async Task ReconnectAsync(string why, CancellationToken deadline, CancellationToken ct)
    {
        _progress($"broker connection lost ({why}); reconnecting");
        var wait = FirstBackoff;
        for (int attempt = 1; ; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(wait, deadline);
                wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, MaxBackoff.Ticks));
            }

            if (!_client.IsConnected)
            {
                try
                {
                    await _reconnect(deadline);
                }
                catch (Exception e) when (!deadline.IsCancellationRequested)
                {
                    if (attempt == 1)
                    {
                        _progress($"reconnect failed ({e.Message}); trying again, at most {MaxBackoff.TotalSeconds:0} s apart");
                    }

                    continue;
                }
            }

            try
            {
                await SubscribeAsync(deadline);
                var manifests = _all.Where(n => n.Outcome == RolloutOutcome.Pending).Select(n => (n.Node, _keys[n.Node])).ToList();
                await PublishReleaseAsync(_client, _release, manifests, deadline);
                var withdrawn = _all.Where(n => n.Outcome == RolloutOutcome.Withdrawn).ToList();
                foreach (var n in withdrawn)
                {
                    await PublishRetainedAsync(_client, Topics.Ota(n.Node), [], deadline);
                }

                _progress($"reconnected, subscribed again to {_all.Count} state topic{(_all.Count == 1 ? "" : "s")}, republished {_release.ChunkCount} chunks and {manifests.Count} manifest{(manifests.Count == 1 ? "" : "s")}"
                    + (withdrawn.Count > 0 ? $" and {withdrawn.Count} withdrawal{(withdrawn.Count == 1 ? "" : "s")}" : ""));
                return;
            }
            catch (Exception e) when (!deadline.IsCancellationRequested && ConnectionLost(e, ct))
            {
                // Gone again while republishing: start over.
            }
        }
    }

    /// <summary>What the broker must hold for a release to reach <paramref name="manifests"/>' nodes: every chunk, then each node's manifest (the first publish, and again after a broker forgot them).</summary>
    public static async Task PublishReleaseAsync(IMqttClient client, Release release, IEnumerable<(uint Node, byte[] Key)> manifests, CancellationToken ct = default)
    {
        await PublishChunksAsync(client, release, ct);
        foreach (var (node, key) in manifests)
        {
            await PublishManifestAsync(client, release, node, key, ct);
        }
    }

    /// <summary>Every chunk of the release, retained on its own topic: published once for the whole fleet (docs/ota.md).</summary>
    public static async Task PublishChunksAsync(IMqttClient client, Release release, CancellationToken ct = default)
    {
        for (int i = 0; i < release.ChunkCount; i++)
        {
            await PublishRetainedAsync(client, Topics.OtaChunk(release.Counter, i), release.Chunk(i), ct);
        }
    }

    /// <summary>A node's manifest, targeted at it and signed with its key, retained on its manifest topic.</summary>
    public static Task PublishManifestAsync(IMqttClient client, Release release, uint node, byte[] key, CancellationToken ct = default) =>
        PublishRetainedAsync(client, Topics.Ota(node), release.Manifest(OtaManifest.TargetNode, node.ToString(), key), ct);

    private static async Task PublishRetainedAsync(IMqttClient client, string topic, byte[] payload, CancellationToken ct)
    {
        var result = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build(), ct);
        if (!result.IsSuccess)
        {
            throw new Mqtt.BrokerException($"the broker refused {topic}: {result.ReasonCode} (may this account write it? provision's mosquitto-backend.acl grants {Topics.AllNodes(Topics.OtaLeaf)} and {Topics.AllOtaChunks()})");
        }
    }
}
