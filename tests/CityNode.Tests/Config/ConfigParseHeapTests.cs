using CityNode.Config;
using Xunit;
using Xunit.Abstractions;

namespace CityNode.Tests.Config;

/// <summary>
/// The boot parses citynode.conf once (NodeStart); the key table must not make that cost more than the
/// hand-written parser did. Measured with the GC's allocation counter after a first parse (static
/// initialisation, the table itself, is counted separately).
/// </summary>
public sealed class ConfigParseHeapTests(ITestOutputHelper output)
{
    /// <summary>A provisioned air node's file as citynode provision writes it.</summary>
    public const string Provisioned = """
        # CityNode node 42 on FireBeetle 2 ESP32-E, written by citynode provision on 2026-11-29.
        # Holds this node's MQTT password: keep it off shared drives.
        node.id = 42
        sample = 60s
        publish = 15m
        batch = 64
        early.pm2_5 = 25
        sensor.bme280 = i2c:0x76
        sensor.sds011 = uart:COM2
        sensor.scd41 = i2c:0x62
        calibration.ph = 4.00:2030,7.00:1500,10.00:975
        board = firebeetle-esp32e
        config.version = 1
        delivery.ack = backend
        wifi.ssid = CityNet
        wifi.password = correct horse battery
        mqtt.broker = mqtts://broker.city.example:8883
        mqtt.ca = I:\ca.pem
        mqtt.username = node-42
        mqtt.password = Zm9vYmFyYmF6cXV4cXV1eHF1dXgxMjM0
        """;

    [Fact]
    public void Parsing_the_provisioned_file_allocates_no_more_than_the_hand_written_parser()
    {
        NodeConfig.Parse(Provisioned); // statics and JIT first
        long before = GC.GetAllocatedBytesForCurrentThread();
        var c = NodeConfig.Parse(Provisioned);
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"NodeConfig.Parse of a 20-key provisioned file: {bytes} B");
        Assert.Equal(42u, c.NodeId);
        // 9,176 B with the hand-written parser (this test on commit 8a7da60).
        Assert.True(bytes <= 9176, $"{bytes} B allocated by one parse; the hand-written parser took 9,176 B");
    }

    [Fact]
    public void The_first_parse_of_a_boot_with_the_key_table_built_allocates_no_more_than_before()
    {
        // A boot starts with no statics: CityNode.Core is loaded afresh so that the table's own
        // construction counts; the first fresh load warms reflection and is not counted.
        FreshParse();
        long bytes = FreshParse();
        output.WriteLine($"first NodeConfig.Parse in a fresh load context (statics + parse): {bytes} B");
        // 10,120 B with the hand-written parser (the same procedure on commit 8a7da60's CityNode.Core).
        Assert.True(bytes <= 10120, $"{bytes} B; the hand-written parser took 10,120 B");
    }

    private static long FreshParse()
    {
        var context = new System.Runtime.Loader.AssemblyLoadContext("fresh-boot", isCollectible: true);
        try
        {
            var parse = context.LoadFromAssemblyPath(typeof(NodeConfig).Assembly.Location).GetType("CityNode.Config.NodeConfig")!.GetMethod("Parse")!;
            object[] args = [Provisioned];
            long before = GC.GetAllocatedBytesForCurrentThread();
            parse.Invoke(null, args);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        finally
        {
            context.Unload();
        }
    }
}
