using CityNode.Delivery;
using CityNode.Hal;
using CityNode.Host.SimulatedHal;
using CityNode.Node;
using CityNode.Ota;
using CityNode.Storage;
using CityNode.Telemetry;
using Xunit;

namespace CityNode.Tests.Ota;

/// <summary>The update's part of a publish window: bounded chunks per window, switch when complete, state published on change.</summary>
public class OtaSessionTests
{
    /// <summary>A broker's retained topics as one node sees them: a subscription delivers the retained message; publishes are PUBACKed.</summary>
    private sealed class RetainedUplink : IUplink
    {
        private readonly Queue<Action<IUplinkEvents>> _events = new();
        private int _handle;

        public Dictionary<string, byte[]> Retained { get; } = new();

        public List<string> Subscribed { get; } = new();

        public List<(string Topic, string Text)> Published { get; } = new();

        public bool IsConnected => true;

        public int Rssi => -60;

        public UplinkStatus Connect(int timeoutMs) => UplinkStatus.Ok;

        public UplinkStatus Subscribe(string topic)
        {
            Subscribed.Add(topic);
            if (Retained.TryGetValue(topic, out var m))
            {
                _events.Enqueue(e => e.OnMessage(topic, m, 0, m.Length));
            }

            return UplinkStatus.Ok;
        }

        public int Publish(string topic, byte[] payload, int offset, int count)
        {
            int h = ++_handle;
            Published.Add((topic, System.Text.Encoding.ASCII.GetString(payload, offset, count)));
            _events.Enqueue(e => e.OnPublished(h, true, 0));
            return h;
        }

        public void Poll(int timeoutMs, IUplinkEvents events)
        {
            while (_events.TryDequeue(out var a))
            {
                a(events);
            }
        }

        public void Disconnect()
        {
        }
    }

    [Fact]
    public void A_release_comes_in_at_most_eight_chunks_a_window_then_switches_and_the_state_is_published_when_it_changed()
    {
        var rig = new OtaRig();
        var release = OtaRig.MakeRelease(3, "1.3.0", 5, 30_000, 20_000); // 13 chunks
        var up = new RetainedUplink();
        up.Retained[Topics.Ota(7)] = rig.ManifestFor(release);
        for (int i = 0; i < release.ChunkCount; i++)
        {
            up.Retained[Topics.OtaChunk(release.Counter, i)] = release.Chunk(i);
        }

        var clock = new VirtualClock(1_750_000_000);
        var publisher = new Publisher(new RamBatchStore(4096, 1), 256, 4);
        var config = new CityNode.Config.RemoteConfig(Topics.Config(7));
        var session = new OtaSession(rig.Loader, rig.Updater, 7, config);
        publisher.MessageSink = session;

        int Window()
        {
            up.Subscribed.Clear();
            session.Subscribe(up);
            up.Poll(0, publisher); // the manifest arrives while the batches go out
            session.Run(up, clock, publisher);
            return up.Subscribed.Count(t => t.StartsWith("citynode/ota/", StringComparison.Ordinal));
        }

        Assert.Equal(8, Window());
        Assert.Equal(OtaState.Downloading, session.Current().State);
        Assert.False(session.Switched);
        Assert.Equal(5, Window());
        Assert.True(session.Switched);
        Assert.Equal(OtaState.Trial, rig.Record.State);
        var states = up.Published.Where(p => p.Topic == Topics.OtaState(7)).Select(p => p.Text).ToList();
        Assert.Equal(2, states.Count);
        Assert.Contains("state=downloading\n", states[0]);
        Assert.Contains("received=30000\n", states[0]); // the first file, 30,000 B, is chunks 0-7
        Assert.Contains("state=trial\n", states[1]);
        Assert.Contains("version=1.3.0\n", states[1]);

        // Nothing changed: no state publish, no chunk subscription while the trial runs.
        Assert.Equal(0, Window());
        Assert.Equal(2, up.Published.Count(p => p.Topic == Topics.OtaState(7)));

        // ... and an unchanged window builds no state text: it allocates nothing (least of a few passes: JIT noise).
        long allocated = long.MaxValue;
        for (int pass = 0; pass < 5 && allocated != 0; pass++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            session.Run(up, clock, publisher);
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData("citynode/ota/3/12", true)]
    [InlineData("citynode/ota/", false)]
    [InlineData("citynode/7/ota", false)]
    [InlineData("citynode/otaX/3/1", false)]
    [InlineData("other/ota/3/1", false)]
    public void Chunk_topics_are_recognised_without_allocating(string topic, bool chunk) => Assert.Equal(chunk, Topics.IsOtaChunk(topic));

    [Fact]
    public void The_state_topics_names_are_the_enums_members()
    {
        foreach (OtaState st in Enum.GetValues<OtaState>())
        {
            Assert.Equal(st.ToString().ToLowerInvariant(), OtaSession.StateName(st));
        }

        foreach (OtaFailure f in Enum.GetValues<OtaFailure>())
        {
            Assert.Equal(f == OtaFailure.None ? "" : f.ToString(), OtaSession.FailureName(f));
        }
    }
}
