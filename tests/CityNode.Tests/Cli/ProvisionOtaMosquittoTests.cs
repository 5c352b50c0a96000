using CityNode.Config;
using CityNode.Host.Mqtt;
using CityNode.Host.Provisioning;
using CityNode.Ota;
using CityNode.Testing.Servers;
using CityNode.Tests.Integration;
using CityNode.Tests.Ota;
using MQTTnet;
using MQTTnet.Protocol;
using Xunit;

namespace CityNode.Tests.Cli;

/// <summary>
/// provision's ACL lines for the OTA topics on a real mosquitto (issue 16): a node reads only its own
/// manifest and the release chunks and writes only its own state; only the backend account writes
/// manifests and chunks — and `citynode ota` updates a provisioned node through them.
/// </summary>
[Collection("cli")]
public sealed class ProvisionOtaMosquittoTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("citynode-provision-ota-mq-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public async Task A_provisioned_node_reads_its_own_manifest_and_the_chunks_writes_its_state_and_ota_updates_it()
    {
        string keys = Path.Combine(_dir, "keys");
        foreach (string id in new[] { "42", "43" })
        {
            var (exit, _, err) = await CliRunner.Run("provision", "--board", "reference", "--node-id", id, "--broker", "mqtt://127.0.0.1:1883", "--out", Path.Combine(_dir, id), "--ota-keys", keys);
            Assert.True(exit == 0, err);
        }

        File.WriteAllText(Path.Combine(_dir, "passwd"), File.ReadAllText(Path.Combine(_dir, "42", "mosquitto.passwd")) + File.ReadAllText(Path.Combine(_dir, "43", "mosquitto.passwd"))
            + MosquittoPassword.Line(NodeProvisioning.BackendUser, "backend-pw") + "\n");
        File.WriteAllText(Path.Combine(_dir, "acl"), File.ReadAllText(Path.Combine(_dir, "42", "mosquitto.acl")) + "\n" + File.ReadAllText(Path.Combine(_dir, "43", "mosquitto.acl"))
            + "\n" + File.ReadAllText(Path.Combine(_dir, "42", "mosquitto-backend.acl")));
        using var broker = new LocalMosquitto($"password_file {_dir}/passwd\nacl_file {_dir}/acl\n", anonymous: false);
        var config = NodeConfig.Parse(File.ReadAllText(Path.Combine(_dir, "42", "citynode.conf")));

        using var backend = await Connect(broker.Port, NodeProvisioning.BackendUser, "backend-pw");
        using var node = await Connect(broker.Port, config.MqttUsername!, config.MqttPassword!);

        // Writes: the node may not publish a manifest or a chunk, nor another node's state (mosquitto
        // 2 answers a denied QoS 1 PUBLISH with PUBACK "not authorized").
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await node.PublishAsync(Message("citynode/42/ota"))).ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await node.PublishAsync(Message("citynode/ota/9/0"))).ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await node.PublishAsync(Message("citynode/43/ota/state"))).ReasonCode);
        Assert.True((await node.PublishAsync(Message("citynode/42/ota/state"))).IsSuccess);
        Assert.True((await backend.PublishAsync(Message("citynode/42/ota"))).IsSuccess);
        Assert.True((await backend.PublishAsync(Message("citynode/43/ota"))).IsSuccess);
        Assert.True((await backend.PublishAsync(Message("citynode/ota/9/0"))).IsSuccess);

        // The backend's two user blocks add up: it still reads telemetry (the first block) and writes OTA topics (above).
        var telemetry = new List<string>();
        backend.ApplicationMessageReceivedAsync += e =>
        {
            lock (telemetry)
            {
                telemetry.Add(e.ApplicationMessage.Topic);
            }

            return Task.CompletedTask;
        };
        await backend.SubscribeAsync("citynode/+/up", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.True((await node.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("citynode/42/up").WithPayload(new byte[] { 1 }).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build())).IsSuccess);
        await TestPublisher.WaitUntil(() => { lock (telemetry) { return telemetry.Count > 0; } }, TimeSpan.FromSeconds(5));
        lock (telemetry)
        {
            Assert.Equal(new[] { "citynode/42/up" }, telemetry);
        }

        // Reads: its own manifest and the chunks, not another node's manifest.
        var got = new List<string>();
        node.ApplicationMessageReceivedAsync += e =>
        {
            lock (got)
            {
                got.Add(e.ApplicationMessage.Topic);
            }

            return Task.CompletedTask;
        };
        await node.SubscribeAsync("citynode/42/ota", MqttQualityOfServiceLevel.AtLeastOnce);
        await node.SubscribeAsync("citynode/43/ota", MqttQualityOfServiceLevel.AtLeastOnce);
        await node.SubscribeAsync("citynode/ota/#", MqttQualityOfServiceLevel.AtLeastOnce);
        await TestPublisher.WaitUntil(() => { lock (got) { return got.Count >= 2; } }, TimeSpan.FromSeconds(5));
        await Task.Delay(300);
        lock (got)
        {
            Assert.Equal(new[] { "citynode/42/ota", "citynode/ota/9/0" }, got.Order());
        }

        // Clear the probes, then the real thing: ota as the backend account, the node as node-42.
        await backend.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("citynode/42/ota").WithPayload(Array.Empty<byte>()).WithRetainFlag().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await node.DisconnectAsync();
        await using var fake = new RolloutFakeNode(42, CityNode.Host.Ota.Release.ReadKey(Path.Combine(_dir, "42", "ota.key")));
        await fake.ConnectAsync(broker.Port, config.MqttUsername, config.MqttPassword);
        string release = Path.Combine(_dir, "r.release");
        File.WriteAllBytes(release, OtaRig.MakeRelease(4).ToFile());
        File.WriteAllText(Path.Combine(_dir, "backend.pw"), "backend-pw\n");
        var (code, stdout, stderr) = await CliRunner.Run("ota", "--broker", $"mqtt://{NodeProvisioning.BackendUser}@127.0.0.1:{broker.Port}", "--password-file", Path.Combine(_dir, "backend.pw"),
            "--keys", keys, "--release", release, "--node", "42", "--timeout", "60s");
        Assert.True(code == 0, stderr + stdout);
        Assert.Equal(OtaState.Confirmed, fake.Status.State);
        Assert.Equal(4u, fake.Status.RunningCounter);
    }

    private static async Task<IMqttClient> Connect(int port, string user, string password)
    {
        var c = new MqttClientFactory().CreateMqttClient();
        await c.ConnectAsync(MqttClientSetup.Loopback(port, user + "-" + Guid.NewGuid().ToString("N")[..4], user, password).Build());
        return c;
    }

    private static MqttApplicationMessage Message(string topic) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(new byte[] { 1 }).WithRetainFlag().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
}
