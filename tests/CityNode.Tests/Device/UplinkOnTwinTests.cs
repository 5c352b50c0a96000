using System.Net;
using System.Net.Sockets;
using System.Text;
using CityNode.Config;
using CityNode.Esp32.Glue;
using CityNode.Hal;
using CityNode.Host.Data;
using CityNode.Host.Mqtt;
using CityNode.Host.SimulatedHal;
using CityNode.Host.Simulation;
using CityNode.NanoTwin;
using CityNode.Node;
using Xunit;
using Xunit.Abstractions;

namespace CityNode.Tests.Device;

/// <summary>
/// The ESP32 program's uplink and start on the nanoFramework twin: behaviours 6–8 of the issue "The ESP32
/// program runs in the simulation" (bounded connect, M2Mqtt's blind PUBACK, SUBACK refusals) and the handling
/// of a missing or invalid citynode.conf. Each test names the glue fix it guards.
/// </summary>
public class UplinkOnTwinTests(ITestOutputHelper output)
{
    // What the twin models for the stages (tools/CityNode.NanoTwin): the native Wi-Fi connect blocks until its
    // result event or 20 s (WifiTwin.NativeConnectTimeoutMs); the helper polls the token every 200 ms.
    private const int NativeWifiConnectMaxMs = 20_000;
    private const int HelperPollMs = 200;

    // M2Mqtt waits MqttSettings.DefaultTimeout for CONNACK once the socket is open.
    private const int ConnackWaitMs = 30_000;

    // A node that cannot start deep-sleeps this long before it tries again (NodeStart.RetryMs).
    private const int RetrySleepMs = 10 * 60 * 1000;

    /// <summary>
    /// Behaviour 6, every stage inside the budget: each failure of a connect attempt costs at most the budget
    /// (NodeRuntime.ConnectTimeoutMs) plus the one native wait already under way when it ran out. Made to pass by
    /// SessionUplink.Connect (firmware/CityNode.Core/Hal, used by EspUplink): Join gets a token of what is left, and
    /// EspUplink.Open (the MqttClient constructor's DNS, then the socket and CONNACK) runs only while time is left;
    /// the old glue passed no bound and started every stage regardless.
    /// Waits the glue cannot cut once started, on the device: the native Wi-Fi connect (≤ 20 s, whatever the
    /// token), the TCP SYN retries of lwIP (≈ 6.5 s), DNS retries without network (≈ 7 s), the CONNACK wait (≤ 30 s).
    /// </summary>
    [Fact]
    public async Task Each_connect_stage_starts_only_while_the_budget_lasts()
    {
        await using var rig = await DeviceRig.StartAsync();
        using var silent = new SilentBroker();
        int closedPort = EmbeddedBroker.FreePort();
        var noAp = rig.Add(AirNode(1, rig.Address));
        var unknownHost = rig.Add(AirNode(2, BrokerAddress.Parse("mqtt://nowhere.citynode.sim:1883"))); // not in the network's DNS
        var refusing = rig.Add(AirNode(3, BrokerAddress.Parse($"mqtt://127.0.0.1:{closedPort}"))); // RST: nothing listens
        var lateAp = rig.Add(AirNode(4, silent.Address));
        rig.Run(TimeSpan.FromMinutes(3)); // first boots: the network time, the RTC set

        // No access point: the helper waits for an address until the token (the whole budget) ends.
        noAp.Board.Network.AccessPoints.Clear();
        var (status, ms) = TimedConnect(noAp, NodeRuntime.ConnectTimeoutMs);
        output.WriteLine($"no AP: {status} in {ms} ms");
        Assert.Equal(UplinkStatus.NoNetwork, status);
        Assert.InRange(ms, NodeRuntime.ConnectTimeoutMs, NodeRuntime.ConnectTimeoutMs + HelperPollMs);

        // A broker name DNS does not know, a host that resets the connection: failed at once, well inside the budget.
        (status, ms) = TimedConnect(unknownHost, NodeRuntime.ConnectTimeoutMs);
        output.WriteLine($"unknown host: {status} in {ms} ms");
        Assert.Equal(UplinkStatus.Timeout, status);
        Assert.InRange(ms, 1, 1000);
        (status, ms) = TimedConnect(refusing, NodeRuntime.ConnectTimeoutMs);
        output.WriteLine($"connection refused: {status} in {ms} ms");
        Assert.Equal(UplinkStatus.Timeout, status);
        Assert.InRange(ms, 1, 1000);

        // A budget that ends during the Wi-Fi join: the native connect overruns it (it runs to its result event),
        // and then nothing more starts — no DNS, no socket to the (silent) broker, so no 30 s CONNACK wait.
        lateAp.Board.Network.AccessPoints.Clear(); // the boot's own join fails ...
        int sockets = silent.Accepted;
        var uplink = FreshUplink(lateAp);
        lateAp.Board.Network.AccessPoints.Add(new AccessPoint(DeviceNode.Ssid, "sim-wifi-password")); // ... the AP is back for the glue's
        const int shortBudget = 1000;
        long t0 = lateAp.Clock.MonotonicMs;
        status = lateAp.Board.Invoke(() => uplink.Connect(shortBudget));
        ms = lateAp.Clock.MonotonicMs - t0;
        output.WriteLine($"budget {shortBudget} ms ending in the join: {status} in {ms} ms, broker sockets {silent.Accepted}");
        Assert.Equal(UplinkStatus.NoNetwork, status);
        Assert.InRange(ms, shortBudget, shortBudget + NativeWifiConnectMaxMs);
        Assert.Equal(sockets, silent.Accepted);

        // No budget at all: nothing starts.
        (status, ms) = TimedConnect(refusing, 0);
        Assert.Equal(UplinkStatus.NoNetwork, status);
        Assert.Equal(0, ms);
    }

    /// <summary>
    /// Behaviour 6, the CONNACK stage: a broker that accepts the TCP connection and never answers (a hung broker
    /// process) costs the device M2Mqtt's CONNACK wait, 30 s, started inside the budget; the glue reports a
    /// timeout (the exception M2Mqtt throws: SessionUplink.Connect's catch), not a refusal, and the node retries later.
    /// </summary>
    [Fact]
    public async Task A_broker_that_never_answers_costs_one_connack_wait_and_is_a_timeout()
    {
        await using var rig = await DeviceRig.StartAsync();
        using var silent = new SilentBroker();
        var node = rig.Add(AirNode(1, silent.Address));
        rig.Run(TimeSpan.FromMinutes(3));
        var (status, ms) = TimedConnect(node, NodeRuntime.ConnectTimeoutMs);
        output.WriteLine($"silent broker: {status} in {ms} ms");
        Assert.Equal(UplinkStatus.Timeout, status);
        Assert.True(silent.Accepted > 0);
        Assert.InRange(ms, ConnackWaitMs, NodeRuntime.ConnectTimeoutMs + ConnackWaitMs); // the wait began inside the budget
    }

    /// <summary>
    /// Behaviour 6, the radio after a failed join: the ESP32 driver reconnects on every disconnect event while
    /// IsToConnect, so a join that failed keeps scanning (radio "connecting") until something calls
    /// WifiNetworkHelper.Disconnect. SessionUplink.Connect now calls Leave (EspUplink: WifiNetworkHelper.Disconnect)
    /// when Join fails; the old glue left the driver trying.
    /// Seen directly after one failed Connect, and over two hours of a node whose access point is gone.
    /// </summary>
    [Fact]
    public async Task After_a_failed_wifi_join_the_radio_stops_trying()
    {
        await using var rig = await DeviceRig.StartAsync();
        var node = rig.Add(AirNode(1, rig.Address, "sample = 60s\npublish = 15m\n"));
        var probe = rig.Add(AirNode(2, rig.Address));
        rig.Run(TimeSpan.FromMinutes(3)); // the RTC set
        var ledger = node.Board.Ledger;
        long connecting0 = ledger.RadioMs(RadioState.Connecting);
        int boots0 = node.Board.Boots;
        node.NetworkUp = () => false; // the access point is gone
        rig.Run(TimeSpan.FromHours(2));
        long connecting = ledger.RadioMs(RadioState.Connecting) - connecting0;
        long attempts = node.TotalRetries;
        int boots = node.Board.Boots - boots0;
        output.WriteLine($"2 h without AP: {attempts} failed attempts, {boots} boots, connecting {connecting} ms, started {ledger.RadioMs(RadioState.Started)} ms, " +
            $"associated {ledger.RadioMs(RadioState.Associated)} ms, idle {ledger.CpuMs(CpuState.Idle)} ms");
        foreach (string line in node.Board.ConsoleLines.TakeLast(12))
        {
            output.WriteLine("  " + line);
        }

        Assert.InRange(attempts, 3, 60);

        // A publishing wake boots with Wi-Fi joining (the saved options), so without an AP the driver scans from the
        // boot through the sampling until the glue's Join gives up at the budget: bounded per attempt by the budget plus
        // the part of the wake before Connect (measured: 212.9 s for 9 attempts, ≈ 23.7 s each). Wakes between attempts
        // boot with the radio off.
        Assert.True(connecting <= attempts * (NodeRuntime.ConnectTimeoutMs + 15_000), $"{connecting} ms connecting for {attempts} attempts");
        Assert.False(node.Dead);

        // One failed Connect, then a minute's wait in the same boot: the radio is started, not connecting.
        probe.Board.Network.AccessPoints.Clear();
        var uplink = FreshUplink(probe);
        Assert.Equal(UplinkStatus.NoNetwork, probe.Board.Invoke(() => uplink.Connect(NodeRuntime.ConnectTimeoutMs)));
        Assert.Equal(RadioState.Started, probe.Board.Ledger.Radio);
        long before = probe.Board.Ledger.RadioMs(RadioState.Connecting);
        probe.Board.Invoke(() =>
        {
            new EspClock().Delay(60_000);
            return true;
        });
        Assert.Equal(before, probe.Board.Ledger.RadioMs(RadioState.Connecting));
    }

    /// <summary>
    /// Behaviour 7: M2Mqtt raises IsPublished = true for any PUBACK and drops the MQTT 5 reason code, so a
    /// broker that refuses every telemetry publish (PUBACK 0x87 Not authorized) looks like one that took it
    /// (EspUplink.Open passes reason 0 for every IsPublished; no glue can do better with M2Mqtt 5.1).
    /// With delivery.ack = broker (the PUBACK releases: nodes and backends before issue 19) the device
    /// releases each batch from its journal as delivered while the receiver stored nothing; the host's
    /// MQTTnet uplink sees the reason code and quarantines instead (counted as dropped). With
    /// delivery.ack = backend (issue 19) the same device releases nothing the backend did not store:
    /// every batch stays in its journal.
    /// </summary>
    [Fact]
    public async Task A_refused_publish_is_released_by_a_broker_ack_device_and_kept_by_a_backend_ack_device()
    {
        await using var rig = await DeviceRig.StartAsync();
        rig.Broker.RefusedPublishers.Add("citynode-1");
        rig.Broker.RefusedPublishers.Add("citynode-2");
        rig.Broker.RefusedPublishers.Add("citynode-3");
        const string brokerAck = "sample = 60s\npublish = 15m\ndelivery.ack = broker\n";
        var device = rig.Add(AirNode(1, rig.Address, brokerAck));
        var host = HostNode(2, rig.Address, brokerAck);
        var endToEnd = rig.Add(AirNode(3, rig.Address, "sample = 60s\npublish = 15m\ndelivery.ack = backend\n"));
        rig.Run(TimeSpan.FromMinutes(40));
        Assert.True(device.Flush());
        long until = host.ElapsedMs + (40 * 60_000);
        while (host.ElapsedMs < until)
        {
            host.Step();
        }

        Assert.True(host.Flush());
        await rig.SettleAsync();

        var store = device.Program!.Node.Store;
        output.WriteLine($"device: produced {device.ProducedReadings}, sealed {store.SealedReadings}, released {device.TotalAcknowledged}, pending {store.PendingCount}, " +
            $"quarantined {store.QuarantinedBatches}; host: released {host.TotalAcknowledged}, quarantined {host.Store.QuarantinedBatches} ({host.Store.QuarantinedReadings} readings); " +
            $"broker accepted {rig.Broker.Accepted}, receiver batches {rig.Sink.Batches.Count}");
        Assert.Equal(0, rig.Broker.Accepted);
        Assert.Empty(rig.Sink.Batches);

        // The device: every batch released as delivered, none quarantined, nothing counted as lost.
        Assert.True(device.TotalAcknowledged >= 3, $"{device.TotalAcknowledged} batches released");
        Assert.True(store.SealedReadings > 0);
        Assert.Equal(0, store.PendingCount);
        Assert.Equal(0, store.QuarantinedBatches);
        Assert.Equal(0, device.DroppedReadings);

        // The host uplink (MQTTnet, reason codes): quarantined and counted, none released as delivered.
        Assert.Equal(0, host.TotalAcknowledged);
        Assert.True(host.Store.QuarantinedBatches >= 3, $"{host.Store.QuarantinedBatches} quarantined");
        Assert.True(host.Store.QuarantinedReadings > 0 && host.DroppedReadings >= host.Store.QuarantinedReadings); // counted as lost

        // The device with the backend's acknowledgement: blind PUBACKs release nothing; every batch waits in flash.
        Assert.False(endToEnd.Flush()); // batches left: nothing came back from the backend to release them
        var kept = endToEnd.Program!.Node.Store;
        Assert.Equal(0, endToEnd.TotalAcknowledged);
        Assert.True(kept.PendingCount >= 3, $"{kept.PendingCount} batches kept");
        Assert.Equal(kept.SealedReadings, endToEnd.ProducedReadings);
        Assert.Equal(0, kept.QuarantinedBatches + kept.DroppedReadings);
    }

    /// <summary>
    /// Behaviour 8: M2Mqtt's Subscribe returns the message id at once, and a refused filter shows only in
    /// MqttMsgSubscribed (SUBACK reason ≥ 0x80). SessionUplink.Subscribe now waits for SUBACK (EspUplink passes
    /// the granted code from MqttMsgSubscribed) and returns Refused; the old glue returned Ok for any non-zero id.
    /// A node whose config subscription is refused keeps delivering telemetry (NodeRuntime does not depend on it).
    /// </summary>
    [Fact]
    public async Task A_refused_config_subscription_is_refused_and_telemetry_flows_on()
    {
        await using var rig = await DeviceRig.StartAsync();
        rig.Broker.RefusedSubscribers.Add("citynode-1");
        var refused = rig.Add(AirNode(1, rig.Address));
        var normal = rig.Add(AirNode(2, rig.Address));
        rig.Run(TimeSpan.FromMinutes(40));
        await rig.SettleAsync();
        int batches = rig.Sink.Batches.Count(b => b.NodeId == refused.Id);
        output.WriteLine($"refused subscriber: {batches} batches stored, {refused.TotalAcknowledged} acknowledged");
        Assert.True(batches >= 2, $"{batches} batches from the node whose subscription is refused");
        Assert.Equal(refused.TotalAcknowledged, batches);
        Assert.False(refused.Dead);

        foreach (var (node, want) in new[] { (refused, UplinkStatus.Refused), (normal, UplinkStatus.Ok) })
        {
            var uplink = FreshUplink(node);
            string topic = NodeConfig.Parse(node.ProvisionedConfig).ConfigTopic;
            Assert.Equal(UplinkStatus.Ok, node.Board.Invoke(() => uplink.Connect(NodeRuntime.ConnectTimeoutMs)));
            var got = node.Board.Invoke(() => uplink.Subscribe(topic));
            node.Board.Invoke(() =>
            {
                uplink.Disconnect();
                return true;
            });
            output.WriteLine($"node {node.Id}: Subscribe({topic}) = {got}");
            Assert.Equal(want, got);
        }
    }

    /// <summary>
    /// A node that cannot start from its files (citynode.conf missing, a bad value, a sensor line the drivers'
    /// factory refuses) prints a console line naming the file (and line and key) and what to do, deep-sleeps
    /// 10 minutes and tries again — not awake forever (the old program idled in Thread.Sleep(Infinite) on a parse
    /// error and died on an unhandled exception for a missing file). Made to pass by NodeStart.Run/Assemble (sleep and
    /// retry, the sensor factory's ConfigException caught) and NodeProgram.ReadFile (the console line for a file
    /// that cannot be read). Once a good file is deployed, the next wake samples.
    /// </summary>
    [Theory]
    [InlineData("missing", "citynode.conf: cannot be read from I:", "nanoff")]
    [InlineData("sample = 60 seconds", "citynode.conf: line 2: sample: '60 seconds' is not a duration", "examples: 60, 60s, 15m, 2h")]
    [InlineData("sensor.turbidity = adc:6,divider=2", "citynode.conf: line ", "sensor.turbidity: divider '2' is not N/D")]
    public async Task A_bad_or_missing_config_sleeps_and_retries_until_a_good_one_is_deployed(string bad, string says, string tells)
    {
        await using var rig = await DeviceRig.StartAsync();
        var node = AirNode(1, rig.Address);
        string good = node.ProvisionedConfig;
        if (bad == "missing")
        {
            // TwinLittleFs.Delete is the twin's own (internal); as if the file deployment had never included it.
            node.Board.Drive.Undeploy("I:\\citynode.conf");
            Assert.Null(node.Board.Drive.Peek("I:\\citynode.conf"));
        }
        else
        {
            Assert.Contains("\nsample = 60s\n", good);
            string text = bad.StartsWith("sensor.", StringComparison.Ordinal) ? good + bad + "\n" : good.Replace("\nsample = 60s\n", "\n" + bad + "\n", StringComparison.Ordinal);
            node.Board.Drive.Deploy("I:\\citynode.conf", Encoding.UTF8.GetBytes(text));
        }

        rig.Add(node);
        rig.Run(TimeSpan.FromMinutes(35));
        var ledger = node.Board.Ledger;
        output.WriteLine($"{bad}: boots {node.Board.Boots}, failed {node.FailedBoots}, awake {ledger.TotalMs - ledger.CpuMs(CpuState.DeepSleep)} ms " +
            $"(idle {ledger.CpuMs(CpuState.Idle)}), deep sleep {ledger.CpuMs(CpuState.DeepSleep)} ms, radio on {ledger.TotalMs - ledger.CpuMs(CpuState.DeepSleep) - ledger.RadioMs(RadioState.Off)} ms");
        foreach (string line in node.Board.ConsoleLines.Distinct().Take(5))
        {
            output.WriteLine("  " + line);
        }

        Assert.False(node.Dead);
        Assert.Null(node.Board.ExitException);
        Assert.Contains(node.Board.ConsoleLines, l => l.Contains(says, StringComparison.Ordinal) && l.Contains(tells, StringComparison.Ordinal));

        // Every boot failed and slept 10 minutes; awake only for the boot itself (no Wi-Fi join, no wait).
        Assert.True(node.FailedBoots >= 3, $"{node.FailedBoots} failed boots");
        Assert.InRange(node.Board.Boots, node.FailedBoots, node.FailedBoots + 1);
        Assert.Equal(node.FailedBoots * RetrySleepMs, ledger.CpuMs(CpuState.DeepSleep));
        long awake = ledger.TotalMs - ledger.CpuMs(CpuState.DeepSleep);
        Assert.True(awake <= node.Board.Boots * 2000L, $"{awake} ms awake over {node.Board.Boots} boots");
        Assert.True(ledger.CpuMs(CpuState.Idle) < 1000, $"{ledger.CpuMs(CpuState.Idle)} ms idle");
        Assert.Equal(0, node.ProducedReadings);

        // The technician deploys a good file (nanoff --filedeployment): the next wake starts the node.
        node.Board.Drive.Deploy("I:\\citynode.conf", Encoding.UTF8.GetBytes(good));
        int failed = node.FailedBoots;
        rig.Run(TimeSpan.FromMinutes(30));
        output.WriteLine($"after the good file: failed boots {node.FailedBoots}, produced {node.ProducedReadings}, delivered {node.TotalAcknowledged}");
        Assert.Equal(failed, node.FailedBoots);
        Assert.True(node.ProducedReadings > 0);
        Assert.True(node.Flush());
        await rig.SettleAsync();
        Assert.True(rig.Readings(node.Id, CityNode.Telemetry.Channels.AirTemperature).Count() >= 15);
    }

    /// <summary>An air node (BME280, SDS011, SCD41 on the reference board) whose citynode.conf names <paramref name="broker"/>; not booted.</summary>
    internal static DeviceNode AirNode(uint id, BrokerAddress broker, string config = "sample = 60s\npublish = 15m\n")
    {
        var (clock, hw) = AirHardware();
        return new DeviceNode(id, clock, hw, broker, $"node.id = {id}\n" + config, new NodeStorage(16));
    }

    /// <summary>The same node assembled by the host (SimulatedNode: MqttNetUplink, which sees MQTT 5 reason codes).</summary>
    internal static SimulatedNode HostNode(uint id, BrokerAddress broker, string config = "sample = 60s\npublish = 15m\n")
    {
        var (clock, hw) = AirHardware();
        var node = new SimulatedNode(id, clock, hw, broker, $"node.id = {id}\n" + config, new NodeStorage(16));
        node.Boot();
        return node;
    }

    /// <summary>
    /// Resets the node into a fresh boot with Wi-Fi joined at boot (as before a publishing wake) and makes the
    /// glue's uplink for its deployed config, for a test to call with <see cref="TwinBoard.Invoke{T}"/>. The node
    /// must have run before (its RTC set, so no SNTP wait); it is not stepped after this.
    /// </summary>
    internal static EspUplink FreshUplink(DeviceNode node)
    {
        node.Board.Reset();
        TwinFirmware.SaveWifiAutoConnect(node.Board, true);
        node.Board.PowerUp(deepSleepWake: true);
        var config = NodeConfig.Parse(node.ProvisionedConfig);
        return node.Board.Invoke(() => new EspUplink(config, new EspClock()));
    }

    /// <summary>EspUplink.Connect(budget) on a fresh boot of the node: the status and the virtual milliseconds it took.</summary>
    private static (UplinkStatus Status, long Ms) TimedConnect(DeviceNode node, int budgetMs)
    {
        var uplink = FreshUplink(node);
        long t0 = node.Clock.MonotonicMs;
        var status = node.Board.Invoke(() => uplink.Connect(budgetMs));
        return (status, node.Clock.MonotonicMs - t0);
    }

    private static (VirtualClock, NodeHardware) AirHardware()
    {
        var air = Recording.Load(Paths.Data(RecordingKind.Air.Bundled));
        var co2 = Recording.Load(Paths.Data(RecordingKind.Co2.Bundled));
        long start = CitySimulation.Present(air.Times[0]);
        var clock = new VirtualClock(start);
        var hw = NodeHardware.Air(clock, RecordingKind.Air.Around(air, 0, start), RecordingKind.Co2.Around(co2, 0, start), false);
        return (clock, hw);
    }

    /// <summary>A TCP server that accepts connections and never answers (a hung broker process, or another service on the port).</summary>
    internal sealed class SilentBroker : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<TcpClient> _held = new();

        public SilentBroker()
        {
            _listener.Start();
            _ = AcceptAsync();
        }

        public BrokerAddress Address => new("127.0.0.1", ((IPEndPoint)_listener.LocalEndpoint).Port, false);

        public int Accepted
        {
            get
            {
                lock (_held)
                {
                    return _held.Count;
                }
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            lock (_held)
            {
                _held.ForEach(c => c.Dispose());
            }
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var c = await _listener.AcceptTcpClientAsync();
                    lock (_held)
                    {
                        _held.Add(c);
                    }
                }
            }
            catch (Exception)
            {
                // stopped
            }
        }
    }
}
