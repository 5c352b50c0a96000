using System.Text;
using CityNode.Config;
using CityNode.Host.Provisioning;
using CityNode.Telemetry;
using MQTTnet;
using MQTTnet.Protocol;

namespace CityNode.Host.Mqtt;

/// <summary>
/// The backend's side of remote configuration: the retained document on <c>citynode/ID/config</c>.
/// A node merges the document over its provisioned config (not over the previous document), so a
/// new document carries the earlier remote settings forward with its new ones and a higher version.
/// </summary>
public static class ConfigTopic
{
    /// <summary>Parses <c>KEY=VALUE</c> arguments; only keys a node accepts remotely, each value checked as the node would.</summary>
    public static IReadOnlyList<(string Key, string Value)> ParseSettings(IEnumerable<string> settings)
    {
        var list = new List<(string, string)>();
        foreach (var s in settings)
        {
            var (key, value) = Split(s);
            if (key == ConfigKeys.Name(ConfigKeys.Version))
            {
                throw new FormatException("config.version: set by citynode (one above the current document)");
            }

            if (!NodeConfig.IsRemoteKey(key))
            {
                throw new FormatException($"{key}: cannot be changed remotely (remote keys: {ConfigKeyTable.RemoteList()}); credentials, broker and wiring change only by provisioning");
            }

            list.Add((key, value));
        }

        if (list.Count == 0)
        {
            throw new FormatException("give at least one KEY=VALUE");
        }

        return list;
    }

    /// <summary>Splits one <c>KEY=VALUE</c> argument (no check of the key or value).</summary>
    public static (string Key, string Value) Split(string setting)
    {
        int eq = setting.IndexOf('=');
        if (eq <= 0)
        {
            throw new FormatException($"'{setting}': expected KEY=VALUE, e.g. sample=300s");
        }

        return (setting[..eq].Trim(), setting[(eq + 1)..].Trim());
    }

    /// <summary>The new document: the current one's settings, these over them, and the next version.</summary>
    public static string Document(string? current, IReadOnlyList<(string Key, string Value)> settings, int version)
    {
        var doc = current is null ? new ConfigDocument() : ConfigDocument.Parse(current);
        foreach (var (k, v) in settings)
        {
            doc.Set(k, v);
        }

        doc.Remove("config.version");
        var text = new StringBuilder($"config.version = {version}\n").Append(doc.ToText()).ToString();
        return text;
    }

    /// <summary>Checks a document as a node with only defaults would (syntax, ranges); the node's own base may still refuse it.</summary>
    public static void Validate(uint node, string document)
    {
        var probe = NodeConfig.Parse($"node.id = {node}\nconfig.version = 0\n");
        probe.WithRemote(ConfigDocument.Parse(document));
    }

    public static int VersionOf(string? document)
    {
        if (document is null)
        {
            return 0;
        }

        var doc = ConfigDocument.Parse(document);
        int at = doc.Find("config.version");
        return at >= 0 && int.TryParse(doc.Value(at), out int v) ? v : 0;
    }

    public static MqttApplicationMessage Message(uint node, string document) =>
        new MqttApplicationMessageBuilder().WithTopic(Topics.Config(node)).WithPayload(Encoding.ASCII.GetBytes(document))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build();

    /// <summary>Reads the retained document of a node (null if none arrives within the wait).</summary>
    public static async Task<string?> ReadRetainedAsync(IMqttClient client, uint node, TimeSpan wait, CancellationToken ct = default)
    {
        string topic = Topics.Config(node);
        var got = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task Handler(MqttApplicationMessageReceivedEventArgs e)
        {
            if (e.ApplicationMessage.Topic == topic)
            {
                var payload = System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload);
                got.TrySetResult(payload.Length == 0 ? null : Encoding.ASCII.GetString(payload));
            }

            return Task.CompletedTask;
        }

        client.ApplicationMessageReceivedAsync += Handler;
        try
        {
            await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic(topic).WithAtLeastOnceQoS()).Build(), ct);
            var done = await Task.WhenAny(got.Task, Task.Delay(wait, ct));
            await client.UnsubscribeAsync(topic, ct);
            return done == got.Task ? got.Task.Result : null;
        }
        finally
        {
            client.ApplicationMessageReceivedAsync -= Handler;
        }
    }
}
