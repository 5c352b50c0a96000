using CityNode.Host.Provisioning;
using CityNode.Host.Receiving;
using CityNode.Host.Simulation;
using CityNode.Host.Stores;
using CityNode.Serve;
using CityNode.Telemetry;
using Xunit;

namespace CityNode.Tests.Serve;

/// <summary>
/// A small simulated city in a SQLite file (what <c>simulate --db</c> writes: 3 mixed nodes, 6 h),
/// a fourth node whose batch reports a battery below the firmware's low_battery_mv, a registry
/// with names and places, and a fleet token file. Shared by the serve tests of a class.
/// </summary>
public sealed class ServeCity : IAsyncLifetime
{
    public const uint LowBatteryNode = 9;
    public const int LowBatteryMv = 3320;
    public const string Token = "fleet-token-for-tests-0123456789";

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "citynode-serve-" + Guid.NewGuid().ToString("N")[..8]);

    public string Db => Path.Combine(Dir, "city.db");

    public string Registry => Path.Combine(Dir, "nodes.conf");

    public string TokenFile => Path.Combine(Dir, "fleet.token");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Dir);
        var summary = await new CitySimulation(new SimulationOptions
        {
            Nodes = 3,
            Kind = "mixed",
            Duration = TimeSpan.FromHours(6),
            Database = Db,
            DataFolder = Path.Combine(Paths.Root, "tools", "CityNode.Cli", "data"),
        }).RunAsync();
        Assert.Equal(0, summary.Lost);
        using (var store = new SqliteStore(Db))
        {
            long last = store.Readings().Max(r => r.Time);
            store.Store(new[] { ReceivedBatch.Decode(LowBatteryPayload(last), DateTimeOffset.UtcNow) });
        }

        var reg = NodeRegistry.Empty();
        reg.Set(1, "Union Street", NodeLocation.Parse("57.1446,-2.1038,Union Street lamp post 12"));
        reg.Set(2, "River Don at Bridge of Don", NodeLocation.Parse("57.1745,-2.0915,Bridge of Don"));
        reg.Set(3, "Castlegate", NodeLocation.Parse("57.1482,-2.0927"));
        reg.Set(LowBatteryNode, "Duthie Park", NodeLocation.Parse("57.1325,-2.0995,Duthie Park gate"));
        reg.Save(Registry);
        File.WriteAllText(TokenFile, Token + "\n");
    }

    public ServeOptions Options(string? tokenFile = "default") => new()
    {
        Database = Db,
        Listen = "127.0.0.1:0",
        Registry = Registry,
        FleetTokenFile = tokenFile == "default" ? TokenFile : tokenFile,
    };

    /// <summary>A batch of a node on a nearly flat cell, encoded by the node's own encoder: 10 PM samples and its diagnostics.</summary>
    private static byte[] LowBatteryPayload(long lastTime)
    {
        const int n = 10;
        var b = new SampleBatch(n, 2) { Count = n, ChannelCount = 2 };
        b.Channels[0].Set(Channels.Pm25, Units.MicrogramPerCubicMetre, 1, -1);
        b.Channels[1].Set(Channels.Pm10, Units.MicrogramPerCubicMetre, 1, -1);
        for (int i = 0; i < n; i++)
        {
            b.Times[i] = lastTime - ((n - 1 - i) * 60);
            b.Values[b.Index(0, i)] = 310 + i; // 31.0 µg/m³ and up: above the WHO 24-h guideline
            b.Values[b.Index(1, i)] = 420 + i;
        }

        var d = new NodeDiagnostics();
        d.Set(NodeDiagnostics.BatteryMillivolts, LowBatteryMv);
        d.Set(NodeDiagnostics.RssiDbm, -80);
        d.Set(NodeDiagnostics.BootMs, 1500);
        d.Set(NodeDiagnostics.SampleMs, 9000);
        d.Set(NodeDiagnostics.ConnectMs, 2500);
        d.Set(NodeDiagnostics.PublishMs, 400);
        d.Set(NodeDiagnostics.DeepSleepMs, 580_000);
        d.Set(NodeDiagnostics.ConfigVersion, 3);
        d.Set(NodeDiagnostics.OtaVersion, CityNode.Ota.OtaVersion.Pack(1, 2, 3));
        d.Set(NodeDiagnostics.OtaState, (long)CityNode.Ota.OtaState.Trial);
        var enc = new BatchEncoder(BatchEncoder.WorstCaseSize(n, 2) + 256, n);
        int len = enc.Encode(b, LowBatteryNode, 1, d);
        return enc.Buffer[..len];
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }
}
