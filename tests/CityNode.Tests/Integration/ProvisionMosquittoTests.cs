using System.Diagnostics;
using CityNode.Config;
using CityNode.Host.Mqtt;
using CityNode.Host.Provisioning;
using CityNode.Testing.Servers;
using CityNode.Tests.Cli;
using MQTTnet;
using MQTTnet.Protocol;
using Xunit;

namespace CityNode.Tests.Integration;

/// <summary>What provision writes works on a real mosquitto: the node logs in, may publish only its own telemetry.</summary>
[Collection("cli")]
public sealed class ProvisionMosquittoTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("citynode-provision-").FullName;

    [Fact]
    public async Task A_provisioned_node_logs_in_publishes_its_own_topic_and_nothing_else()
    {
        string outDir = Path.Combine(_dir, "node42");
        var (exit, stdout, err) = await CliRunner.Run("provision", "--board", "firebeetle-esp32e", "--node-id", "42", "--wifi-ssid", "CityNet",
            "--wifi-password", "correct horse", "--broker", "mqtt://127.0.0.1:1883", "--out", outDir);
        Assert.True(exit == 0, err);
        Assert.Contains("not TLS", err);
        Assert.Contains("nanoff --update --target ESP32_REV3", stdout);
        Assert.Contains("--filedeployment", stdout);

        var config = NodeConfig.Parse(File.ReadAllText(Path.Combine(outDir, "citynode.conf")));
        Assert.Equal(42u, config.NodeId);
        Assert.Equal("node-42", config.MqttUsername);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(outDir, "citynode.conf")));
        }

        // The broker: the node's lines plus a backend user that reads all telemetry.
        File.WriteAllText(Path.Combine(_dir, "passwd"), File.ReadAllText(Path.Combine(outDir, "mosquitto.passwd")) + MosquittoPassword.Line("backend", "backend-pw") + "\n");
        File.WriteAllText(Path.Combine(_dir, "acl"), File.ReadAllText(Path.Combine(outDir, "mosquitto.acl")) + "\n" + NodeProvisioning.BackendAclLines("backend"));
        using var broker = new LocalMosquitto($"password_file {_dir}/passwd\nacl_file {_dir}/acl\n", anonymous: false);

        var received = new List<string>();
        using var backend = await Connect(broker.Port, "backend", "backend-pw");
        backend.ApplicationMessageReceivedAsync += e =>
        {
            lock (received)
            {
                received.Add(e.ApplicationMessage.Topic);
            }

            return Task.CompletedTask;
        };
        await backend.SubscribeAsync("citynode/+/up", MqttQualityOfServiceLevel.AtLeastOnce);

        using var node = await Connect(broker.Port, config.MqttUsername, config.MqttPassword);
        var own = await node.PublishAsync(Message("citynode/42/up"));
        var other = await node.PublishAsync(Message("citynode/43/up"));
        Assert.True(own.IsSuccess, own.ReasonCode.ToString());
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, other.ReasonCode);

        await TestPublisher.WaitUntil(() => { lock (received) { return received.Count > 0; } }, TimeSpan.FromSeconds(5));
        await Task.Delay(200);
        lock (received)
        {
            Assert.Equal(new[] { "citynode/42/up" }, received);
        }

        // Config topics: only the backend writes them; a node reads its own and no other.
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await node.PublishAsync(Message("citynode/42/config"))).ReasonCode);
        Assert.True((await backend.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("citynode/42/config").WithPayload("config.version = 2\nsample = 120s\n")
            .WithRetainFlag().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build())).IsSuccess);
        Assert.True((await backend.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("citynode/43/config").WithPayload("config.version = 2\n")
            .WithRetainFlag().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build())).IsSuccess);
        var nodeGot = new List<string>();
        node.ApplicationMessageReceivedAsync += e =>
        {
            lock (nodeGot)
            {
                nodeGot.Add(e.ApplicationMessage.Topic);
            }

            return Task.CompletedTask;
        };
        var ownConfig = await node.SubscribeAsync("citynode/42/config", MqttQualityOfServiceLevel.AtLeastOnce);
        var others = await node.SubscribeAsync("citynode/43/config", MqttQualityOfServiceLevel.AtLeastOnce);
        await TestPublisher.WaitUntil(() => { lock (nodeGot) { return nodeGot.Count > 0; } }, TimeSpan.FromSeconds(5));
        await Task.Delay(200);
        lock (nodeGot)
        {
            Assert.Equal(new[] { "citynode/42/config" }, nodeGot);
        }

        Assert.True((int)ownConfig.Items.Single().ResultCode < 0x80, ownConfig.Items.Single().ResultCode.ToString());
        // mosquitto 2.0 grants the SUBSCRIBE to another node's config and filters at delivery (nodeGot above).
        Assert.NotNull(others);

        using var wrong = new MqttClientFactory().CreateMqttClient();
        var refused = (await wrong.ConnectAsync(MqttClientSetup.Loopback(broker.Port, "node-42-guessing", "node-42", "guessed").Build())).ResultCode;

        // mosquitto 2.0 answers a wrong password with 0x87 Not authorized; later versions with 0x86.
        Assert.Contains(refused, new[] { MqttClientConnectResultCode.BadUserNameOrPassword, MqttClientConnectResultCode.NotAuthorized });
    }

    [Fact]
    public void Password_lines_match_mosquitto_passwd_both_ways()
    {
        string file = Path.Combine(_dir, "mp");
        File.WriteAllText(file, "");
        string tool = ServerBinaries.Find("mosquitto_passwd", "mosquitto", "/usr/bin/mosquitto_passwd");
        using (var p = Process.Start(new ProcessStartInfo(tool, $"-b {file} alice s3cret") { RedirectStandardError = true })!)
        {
            p.WaitForExit();
            Assert.Equal(0, p.ExitCode);
        }

        string line = File.ReadAllLines(file).Single();
        Assert.StartsWith("alice:$7$", line);
        Assert.True(MosquittoPassword.Verify(line, "s3cret"));
        Assert.False(MosquittoPassword.Verify(line, "s3cret!"));
        Assert.True(MosquittoPassword.Verify(MosquittoPassword.Line("bob", "pw"), "pw"));
    }

    [Fact]
    public async Task Bad_input_is_refused_with_the_key_or_line_it_is_about()
    {
        var (e1, _, err1) = await CliRunner.Run("provision", "--board", "no-such-board", "--node-id", "1");
        Assert.Equal(1, e1);
        Assert.Contains("unknown board 'no-such-board'", err1);

        var (e2, _, err2) = await CliRunner.Run("provision", "--board", "reference", "--node-id", "x1");
        Assert.Equal(1, e2);
        Assert.Contains("--node-id 'x1'", err2);

        string bad = Path.Combine(_dir, "base.conf");
        File.WriteAllText(bad, "sample = 60s\n# a comment\npublish = fortnightly\n");
        var (e3, _, err3) = await CliRunner.Run("provision", "--board", "reference", "--node-id", "5", "--config", bad);
        Assert.Equal(1, e3);
        Assert.Contains("line 3", err3);
        Assert.Contains("publish", err3);

        var (e4, _, err4) = await CliRunner.Run("provision", "--board", "reference", "--node-id", "5", "--wifi-ssid", "x");
        Assert.Equal(1, e4);
        Assert.Contains("--wifi-password", err4);

        var (e5, _, err5) = await CliRunner.Run("provision", "--board", "reference", "--node-id", "5", "--broker", "tcp://x");
        Assert.Equal(1, e5);
        Assert.Contains("'tcp://x' is not a broker URL", err5);
    }

    private static async Task<IMqttClient> Connect(int port, string user, string password)
    {
        var c = new MqttClientFactory().CreateMqttClient();
        await c.ConnectAsync(MqttClientSetup.Loopback(port, user + "-" + Guid.NewGuid().ToString("N")[..4], user, password).Build());
        return c;
    }

    private static MqttApplicationMessage Message(string topic) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(new byte[] { 1 }).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

    public void Dispose() => Directory.Delete(_dir, true);
}
