using CityNode.Config;
using CityNode.Host.Mqtt;
using CityNode.Host.Provisioning;
using CityNode.Host.Receiving;
using CityNode.Testing.Servers;
using CityNode.Tests.Cli;
using CityNode.Tests.Receiving;
using MQTTnet;
using MQTTnet.Protocol;
using Xunit;

namespace CityNode.Tests.Integration;

/// <summary>
/// TLS with a CA made at test time, the password file and ACL from citynode provision, on a real
/// mosquitto that listens with TLS only; and no secret in any console output.
/// </summary>
[Collection("cli")]
public sealed class SecurityTests : IDisposable
{
    private const string BackendPassword = "Backend-pw-9f2c41";
    private const string WifiPassword = "Wifi-pw-73d0aa";
    private readonly string _dir = Directory.CreateTempSubdirectory("citynode-security-").FullName;

    [Fact]
    public async Task Over_tls_the_right_node_publishes_and_everything_else_is_refused()
    {
        var pki = new TestPki(_dir);
        int port = FreePort.Next();
        string nodeDir = Path.Combine(_dir, "node42");
        var (exit, stdout, err) = await CliRunner.Run("provision", "--board", "firebeetle-esp32e", "--node-id", "42", "--wifi-ssid", "CityNet",
            "--wifi-password", WifiPassword, "--broker", $"mqtts://127.0.0.1:{port}", "--ca", pki.CaFile, "--out", nodeDir);
        Assert.True(exit == 0, err);
        var config = NodeConfig.Parse(File.ReadAllText(Path.Combine(nodeDir, "citynode.conf")));
        Assert.Equal("I:\\ca.pem", config.MqttCa);
        Assert.True(File.Exists(Path.Combine(nodeDir, "ca.pem")));

        // Secrets stay in the files: the console shows neither the Wi-Fi nor the generated MQTT password.
        Assert.DoesNotContain(WifiPassword, stdout + err);
        Assert.DoesNotContain(config.MqttPassword, stdout + err);

        File.WriteAllText(Path.Combine(_dir, "passwd"), File.ReadAllText(Path.Combine(nodeDir, "mosquitto.passwd")) + MosquittoPassword.Line("citynode-backend", BackendPassword) + "\n");
        File.WriteAllText(Path.Combine(_dir, "acl"), File.ReadAllText(Path.Combine(nodeDir, "mosquitto.acl")) + "\n" + File.ReadAllText(Path.Combine(nodeDir, "mosquitto-backend.acl")));
        using var broker = new LocalMosquitto($"password_file {_dir}/passwd\nacl_file {_dir}/acl\n", anonymous: false, port: port, listenerConfig: pki.ListenerLines);
        var tlsAddress = BrokerAddress.Parse(broker.TlsUrl);
        var tls = MqttTls.For(tlsAddress, pki.CaFile)!;

        // The backend's receiver, over TLS, with its own account.
        var sink = new MemorySink();
        var receiver = new Receiver(tlsAddress, sink, clientId: "backend-recv") { Username = "citynode-backend", Password = BackendPassword, Tls = tls };
        await receiver.StartAsync();

        using var node = await Connect(port, tls, config.MqttUsername, config.MqttPassword);
        Assert.Equal(MqttClientConnectResultCode.Success, node.Result);
        var own = await node.Client.PublishAsync(Message("citynode/42/up", TestPayloads.Simple(42, 1)));
        Assert.True(own.IsSuccess, own.ReasonCode.ToString());
        var other = await node.Client.PublishAsync(Message("citynode/43/up", TestPayloads.Simple(43, 1)));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, other.ReasonCode);
        await TestPublisher.WaitUntil(() => receiver.Stats.Batches == 1, TimeSpan.FromSeconds(5));
        await receiver.DisposeAsync();
        Assert.Equal(1, receiver.Stats.Batches);
        Assert.Equal(42u, sink.Batches.Single().NodeId);

        // A wrong password is refused.
        using var wrong = await Connect(port, tls, config.MqttUsername, "not-the-password");
        Assert.NotEqual(MqttClientConnectResultCode.Success, wrong.Result);

        // TLS required: plain MQTT on the port gets nowhere, and there is no other port.
        using var plain = await Connect(port, null, config.MqttUsername, config.MqttPassword);
        Assert.NotEqual(MqttClientConnectResultCode.Success, plain.Result);
        Assert.DoesNotContain("listener 1883", File.ReadAllText(Path.Combine(broker.Directory, "mosquitto.conf")));

        // A client that trusts another CA does not talk to this broker.
        var otherPki = new TestPki(Directory.CreateDirectory(Path.Combine(_dir, "other")).FullName, "Somebody Else's CA");
        using var mistrust = await Connect(port, MqttTls.For(tlsAddress, otherPki.CaFile), config.MqttUsername, config.MqttPassword);
        Assert.NotEqual(MqttClientConnectResultCode.Success, mistrust.Result);
    }

    [Fact]
    public async Task Credentials_in_broker_urls_never_reach_the_console()
    {
        var pki = new TestPki(_dir);
        File.WriteAllText(Path.Combine(_dir, "passwd"), MosquittoPassword.Line("citynode-backend", BackendPassword) + "\n");
        File.WriteAllText(Path.Combine(_dir, "acl"), NodeProvisioning.BackendAclLines());
        using var broker = new LocalMosquitto($"password_file {_dir}/passwd\nacl_file {_dir}/acl\n", anonymous: false, listenerConfig: pki.ListenerLines);
        string url = $"mqtts://citynode-backend:{BackendPassword}@127.0.0.1:{broker.Port}";

        var outputs = new List<string>();
        var (e1, o1, r1) = await CliRunner.Run("receive", "--broker", url, "--ca", pki.CaFile, "--db", Path.Combine(_dir, "r.db"), "--idle-exit", "1s", "--client-id", "sec-recv");
        Assert.True(e1 == 0, r1);
        outputs.Add(o1 + r1);
        var (e2, o2, r2) = await CliRunner.Run("configure", "--broker", url, "--ca", pki.CaFile, "--node", "42", "sample=120s", "--no-wait");
        Assert.True(e2 == 0, r2);
        outputs.Add(o2 + r2);
        var (e3, o3, r3) = await CliRunner.Run("receive", "--broker", url.Replace(BackendPassword, BackendPassword + "-wrong"), "--ca", pki.CaFile, "--db", Path.Combine(_dir, "r2.db"));
        Assert.Equal(1, e3); // refused: and the message must not echo the password either
        outputs.Add(o3 + r3);

        foreach (var o in outputs)
        {
            Assert.DoesNotContain(BackendPassword, o);
        }

        Assert.Contains("mqtts://127.0.0.1:", outputs[0]); // the broker is named, without its credentials
    }

    private sealed class Connection(IMqttClient client, MqttClientConnectResultCode result) : IDisposable
    {
        public IMqttClient Client { get; } = client;

        public MqttClientConnectResultCode Result { get; } = result;

        public void Dispose() => Client.Dispose();
    }

    private static async Task<Connection> Connect(int port, MqttClientTlsOptions? tls, string user, string password)
    {
        var c = new MqttClientFactory().CreateMqttClient();
        var b = MqttClientSetup.Options(new BrokerAddress("127.0.0.1", port, tls is not null), user + "-" + Guid.NewGuid().ToString("N")[..4], tls, user, password)
            .WithTimeout(TimeSpan.FromSeconds(3));

        try
        {
            var r = await c.ConnectAsync(b.Build());
            return new Connection(c, r.ResultCode);
        }
        catch (Exception)
        {
            return new Connection(c, MqttClientConnectResultCode.UnspecifiedError); // the handshake itself failed
        }
    }

    private static MqttApplicationMessage Message(string topic, byte[] payload) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

    public void Dispose() => Directory.Delete(_dir, true);
}
