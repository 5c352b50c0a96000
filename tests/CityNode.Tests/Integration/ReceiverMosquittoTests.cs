using CityNode.Host.Mqtt;
using CityNode.Host.Receiving;
using CityNode.Host.Stores;
using CityNode.Testing.Servers;
using CityNode.Tests.Receiving;
using Xunit;

namespace CityNode.Tests.Integration;

/// <summary>The receiver against a real mosquitto (Debian package) started on a free loopback port.</summary>
public sealed class ReceiverMosquittoTests : IDisposable
{
    private readonly LocalMosquitto _broker = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("citynode-recv-").FullName;

    private BrokerAddress Address => BrokerAddress.Parse(_broker.Url);

    [Fact]
    public async Task Two_receivers_of_one_group_split_the_load_and_store_every_batch_once()
    {
        string db = Path.Combine(_dir, "r.db");
        using var storeA = new SqliteStore(db);
        using var storeB = new SqliteStore(db);
        var a = new Receiver(Address, storeA, "city", "recv-a");
        var b = new Receiver(Address, storeB, "city", "recv-b");
        await a.StartAsync();
        await b.StartAsync();

        var messages = new List<(string, byte[])>();
        for (uint node = 1; node <= 20; node++)
        {
            for (uint seq = 1; seq <= 10; seq++)
            {
                messages.Add(($"citynode/{node}/up", TestPayloads.Rich(node, seq, 6)));
            }
        }

        messages.Add(messages[17]);                                   // redelivered
        messages.Add(("citynode/5/up", new byte[] { 0xC1, 0x7E, 1 })); // garbage
        messages.Add(("citynode/6/up", TestPayloads.Rich(7, 99, 6)));  // node 7 on node 6's topic
        await TestPublisher.PublishAsync(_broker.Port, messages);

        long Seen() => a.Stats.Batches + b.Stats.Batches + a.Stats.DuplicatesSuppressed + b.Stats.DuplicatesSuppressed + a.Stats.Rejected + b.Stats.Rejected;
        await TestPublisher.WaitUntil(() => Seen() == messages.Count, TimeSpan.FromSeconds(20));
        await a.DisposeAsync();
        await b.DisposeAsync();

        Assert.Equal(200, a.Stats.Batches + b.Stats.Batches);
        Assert.True(a.Stats.Batches > 50 && b.Stats.Batches > 50, $"shares {a.Stats.Batches}/{b.Stats.Batches}");
        Assert.Equal(1, a.Stats.DuplicatesSuppressed + b.Stats.DuplicatesSuppressed);
        Assert.Equal(2, a.Stats.Rejected + b.Stats.Rejected);
        Assert.Equal(200, storeA.Count().Batches);
        var expected = messages.Take(200).Select(m => ReceivedBatch.Decode(m.Item2, DateTimeOffset.UnixEpoch)).SelectMany(Reading.From).Count();
        Assert.Equal(expected, storeA.Count().Readings);
    }

    [Fact]
    public async Task A_receiver_whose_store_fails_acknowledges_nothing_and_the_next_one_gets_everything()
    {
        var failing = new FailingSink();
        var first = new Receiver(Address, failing, clientId: "recv-crash");
        await first.StartAsync();
        await TestPublisher.PublishAsync(_broker.Port, Enumerable.Range(1, 12).Select(i => ("citynode/3/up", TestPayloads.Simple(3, (uint)i))));
        await TestPublisher.WaitUntil(() => failing.Attempts >= 2, TimeSpan.FromSeconds(10));
        await first.DisposeAsync(); // gives up: nothing was committed, so nothing is acknowledged
        Assert.Equal(0, first.Stats.Batches);
        Assert.True(first.StoreFailures >= 2);

        var sink = new MemorySink();
        var second = new Receiver(Address, sink, clientId: "recv-crash");
        await second.StartAsync();
        await TestPublisher.WaitUntil(() => second.Stats.Batches == 12, TimeSpan.FromSeconds(10));
        await second.DisposeAsync();
        Assert.Equal(Enumerable.Range(1, 12).Select(i => (uint)i), sink.Batches.Select(b => b.Sequence).Order());
    }

    [Fact]
    public async Task A_store_that_fails_for_a_while_is_retried_until_it_commits()
    {
        var sink = new FailingSink { FailFirst = 3 };
        var r = new Receiver(Address, sink, clientId: "recv-retry");
        await r.StartAsync();
        await TestPublisher.PublishAsync(_broker.Port, Enumerable.Range(1, 5).Select(i => ("citynode/4/up", TestPayloads.Simple(4, (uint)i))));
        await TestPublisher.WaitUntil(() => r.Stats.Batches == 5, TimeSpan.FromSeconds(10));
        await r.DisposeAsync();
        Assert.Equal(5, r.Stats.Batches);
        Assert.Equal(3, r.StoreFailures);
        Assert.Equal(5, sink.Stored.Batches.Count);
    }

    public void Dispose()
    {
        _broker.Dispose();
        Directory.Delete(_dir, true);
    }

    /// <summary>A store that throws (a database down) for its first <see cref="FailFirst"/> calls.</summary>
    private sealed class FailingSink : IBatchSink
    {
        private int _attempts;

        public int FailFirst { get; init; } = int.MaxValue;

        public int Attempts => Volatile.Read(ref _attempts);

        public MemorySink Stored { get; } = new();

        public bool[] Store(IReadOnlyList<ReceivedBatch> batches)
        {
            if (Interlocked.Increment(ref _attempts) <= FailFirst)
            {
                throw new IOException("database unavailable");
            }

            return Stored.Store(batches);
        }

        public void Dispose()
        {
        }
    }
}
