using System.Security.Cryptography;
using CityNode.Host.Mqtt;
using CityNode.Host.Ota;
using CityNode.Host.Provisioning;
using CityNode.Loader;
using CityNode.Node;
using CityNode.Ota;
using CityNode.Tests.Device;
using MQTTnet;
using Xunit;
using TwinApplication = CityNode.NanoTwin.Clr.TwinApplication;

namespace CityNode.Tests.Ota;

/// <summary>The update's publish-window step on the ESP32 program itself (DeviceNode on the twin), where the broker misbehaves.</summary>
public sealed class OtaOnTwinTests
{
    // A broker that lost the release's chunks (a restart without persistence) answers the chunk subscriptions
    // and sends nothing. The window must end at its budget on the node's clock, as on the chip, where the wait
    // for a message is time going by; the twin books a wait that timed out on the board's clock
    // (CityNode.Hal.EventWait), without which this node never finished its window.
    [Fact]
    public async Task A_window_whose_chunks_never_come_ends_at_its_budget_and_readings_keep_flowing()
    {
        await using var rig = await DeviceRig.StartAsync();
        var n = rig.AddAirNode("reference", config: "sample = 60s\npublish = 5m\n");
        byte[] key = RandomNumberGenerator.GetBytes(32);
        n.Board.Drive.Deploy(@"I:\" + NodeFiles.OtaKey, System.Text.Encoding.ASCII.GetBytes(Convert.ToHexString(key)));
        var release = Release.Create(
            [new ReleaseFile(NodeProvisioning.ApplicationFile, TwinApplication.Descriptor(AppLoader.ApplicationAssembly, "1.1.0", null, 20_000))],
            OtaVersion.Pack(1, 1, 0), 1, AppLoader.Version);
        using (var backend = new MqttClientFactory().CreateMqttClient())
        {
            await backend.ConnectAsync(MqttClientSetup.Options(rig.Address, "citynode-test-backend").Build());
            await Rollout.PublishManifestAsync(backend, release, n.Id, key); // the manifest, and no chunk
            await backend.DisconnectAsync();
        }

        long acknowledged = 0;
        var run = Task.Run(() =>
        {
            rig.Run(TimeSpan.FromMinutes(6)); // the first window: the manifest, and 10 s waiting for chunks (real seconds too: the twin waits for what the broker might still send)
            acknowledged = n.TotalAcknowledged;
            rig.Run(TimeSpan.FromMinutes(10));
        });
        await run.WaitAsync(TimeSpan.FromSeconds(120)); // never ends (virtual time frozen) without the booking

        var updater = n.Program!.Node.Updater!;
        Assert.Equal(OtaState.Downloading, updater.Status.State);
        Assert.Equal(0, updater.Status.BytesReceived);
        Assert.True(n.TotalAcknowledged > acknowledged, $"readings stopped: {acknowledged} then {n.TotalAcknowledged} acknowledged");
    }
}
