using CityNode.Config;
using CityNode.Host.Mqtt;
using CityNode.Host.Provisioning;
using CityNode.Host.Receiving;
using CityNode.Telemetry;
using MQTTnet;
using Xunit;

namespace CityNode.Tests.Config;

/// <summary>The one topics class, the one broker-URL parser and the one MQTT client options builder, against the wire names and URLs as literals.</summary>
public class TopicsAndBrokerTests
{
    [Fact]
    public void Topics_are_the_wire_names()
    {
        Assert.Equal("citynode/42/up", Topics.Telemetry(42));
        Assert.Equal("citynode/42/config", Topics.Config(42));
        Assert.Equal("citynode/4294967295/ack", Topics.Ack(uint.MaxValue));
        Assert.Equal("citynode/+/up", Topics.AllNodes(Topics.TelemetryLeaf));
        Assert.Equal("citynode/+/up", Receiver.TelemetryFilter);
        var c = NodeConfig.Parse("node.id = 7\n");
        Assert.Equal(("citynode/7/up", "citynode/7/config", "citynode/7/ack"), (c.TelemetryTopic, c.ConfigTopic, c.AckTopic));

        // Every delivery session asks for the node's topics: built once, not per publish.
        long before = GC.GetAllocatedBytesForCurrentThread();
        _ = (c.TelemetryTopic, c.ConfigTopic, c.AckTopic);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData("citynode/7/up", true)]
    [InlineData("citynode/4294967295/up", true)]
    [InlineData("citynode/7/config", false)]
    [InlineData("citynode/7/ack", false)]
    [InlineData("citynode//up", false)]
    [InlineData("citynodes/7/up", false)]
    [InlineData("other/7/up", false)]
    [InlineData("citynode/7/upx", false)]
    public void Telemetry_topics_are_recognised_without_allocating(string topic, bool telemetry)
    {
        Assert.Equal(telemetry, Topics.IsTelemetry(topic));
        long before = GC.GetAllocatedBytesForCurrentThread();
        Topics.IsTelemetry(topic);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void The_acl_lines_name_the_nodes_own_topics_and_the_backends_filters()
    {
        Assert.Equal(
            "user citynode-backend\ntopic read citynode/+/up\ntopic readwrite citynode/+/ack\ntopic readwrite citynode/+/config\n",
            string.Concat(NodeProvisioning.BackendAclLines().Split('\n').Skip(1).Select(l => l.Length == 0 ? "" : l + "\n")));
    }

    [Theory]
    [InlineData("mqtt://h", "h", 1883, false, null, null)]
    [InlineData("mqtts://broker.city.example", "broker.city.example", 8883, true, null, null)]
    [InlineData("mqtts://b:1884", "b", 1884, true, null, null)]
    [InlineData("mqtt://backend@h:1883", "h", 1883, false, "backend", null)]
    [InlineData("mqtt://backend:p%40ss@h", "h", 1883, false, "backend", "p@ss")]
    [InlineData("mqtt://[::1]:1884", "[::1]", 1884, false, null, null)]
    public void Broker_urls_parse_with_the_IANA_default_ports(string url, string host, int port, bool tls, string? user, string? password)
    {
        Assert.Equal(new BrokerAddress(host, port, tls, user, password), BrokerAddress.Parse(url));
    }

    [Theory]
    [InlineData("http://x")]
    [InlineData("tcp://x")]
    [InlineData("mqtt://")]
    [InlineData("mqtt://:1883")]
    [InlineData("mqtt://h:0")]
    [InlineData("mqtt://h:65536")]
    [InlineData("mqtt://h:port")]
    [InlineData("mqtt://h/path")]
    [InlineData("mqtt://[::1")]
    public void Anything_else_is_not_a_broker_url(string url)
    {
        Assert.Equal($"'{url}' is not a broker URL (mqtt://host[:port] or mqtts://host[:port])", Assert.Throws<FormatException>(() => BrokerAddress.Parse(url)).Message);
        Assert.Null(BrokerUrl.Parse(url));
    }

    [Fact]
    public void The_node_and_the_host_read_a_broker_url_alike()
    {
        var node = NodeConfig.Parse("node.id = 1\nmqtt.broker = mqtts://broker.city.example:8884\n");
        var host = BrokerAddress.Parse(node.MqttBroker);
        Assert.Equal((node.MqttHost, node.MqttPort, node.MqttTls), (host.Host, host.Port, host.Tls));
        Assert.Equal(("broker.city.example", 8884, true), (host.Host, host.Port, host.Tls));
    }

    [Fact]
    public void Client_options_carry_the_brokers_address_credentials_and_the_callers_session_choices()
    {
        var tls = new MqttClientTlsOptionsBuilder().UseTls().WithTargetHost("b").Build();
        var o = MqttClientSetup.Options(BrokerAddress.Parse("mqtts://backend:secret@b:8884"), "id-1", tls, cleanStart: false, keepAlive: TimeSpan.FromSeconds(30)).Build();
        var server = Assert.IsType<MqttClientTcpOptions>(o.ChannelOptions);
        var endpoint = Assert.IsType<System.Net.DnsEndPoint>(server.RemoteEndpoint);
        Assert.Equal(("b", 8884), (endpoint.Host, endpoint.Port));
        Assert.Equal("id-1", o.ClientId);
        Assert.Equal(MQTTnet.Formatter.MqttProtocolVersion.V500, o.ProtocolVersion);
        Assert.False(o.CleanSession);
        Assert.Equal(TimeSpan.FromSeconds(30), o.KeepAlivePeriod);
        Assert.Equal("backend", o.Credentials.GetUserName(o));
        Assert.Equal("secret", System.Text.Encoding.UTF8.GetString(o.Credentials.GetPassword(o)));
        Assert.True(server.TlsOptions.UseTls);

        // Given credentials win over the URL's (a receiver's Username/Password); none at all: anonymous.
        var given = MqttClientSetup.Options(BrokerAddress.Parse("mqtt://url-user@b"), "id-2", username: "given", password: "pw").Build();
        Assert.Equal("given", given.Credentials.GetUserName(given));
        var anonymous = MqttClientSetup.Loopback(1883, "id-3").Build();
        Assert.Null(anonymous.Credentials);
        Assert.True(anonymous.CleanSession);
        Assert.False(((MqttClientTcpOptions)anonymous.ChannelOptions).TlsOptions.UseTls);
    }
}
