using System.Text;
using System.Threading.Channels;
using CityNode.Host.Mqtt;
using CityNode.Host.SimulatedHal;
using CityNode.Ota;
using CityNode.Telemetry;
using MQTTnet;
using MQTTnet.Protocol;

namespace CityNode.Tests.Ota;

/// <summary>
/// A node as <c>citynode ota</c> meets it over the wire contract (docs/ota.md, "Wire"): the real
/// <see cref="OtaUpdater"/> and <see cref="SlotLoader"/> over simulated flash, with its own key, fed
/// by MQTT — its retained manifest topic, then (once it took a manifest) the release's chunk topics
/// — and reporting on its retained state topic at every change. A <see cref="Script.Good"/> release
/// confirms itself after the switch; a <see cref="Script.CrashesInTrial"/> one never does, so the
/// loader rolls it back after its trial boots.
/// </summary>
public sealed class RolloutFakeNode : IAsyncDisposable
{
    public enum Script
    {
        Good,
        CrashesInTrial,
    }

    private readonly Script _script;
    private readonly SimFlash _state = new(OtaUpdater.StateSectorSize, OtaUpdater.StateSectors);
    private readonly SimFlash _slotA = new(OtaUpdater.SlotSectorSize, 16, 2);
    private readonly SimFlash _slotB = new(OtaUpdater.SlotSectorSize, 16, 3);
    private readonly Channel<(string Topic, byte[] Payload)> _inbox = Channel.CreateUnbounded<(string, byte[])>();
    private readonly List<byte[]> _manifests = new();
    private IMqttClient? _client;
    private Task? _loop;
    private SlotLoader _loader = null!;
    private OtaUpdater _updater = null!;
    private string _lastReport = "";

    public RolloutFakeNode(uint id, byte[] key, Script script = Script.Good)
    {
        Id = id;
        Key = key;
        _script = script;
        Boot();
    }

    public uint Id { get; }

    public byte[] Key { get; }

    public OtaStatus Status => _updater.Status;

    /// <summary>Non-empty manifests that reached this node.</summary>
    public int ManifestsReceived
    {
        get
        {
            lock (_manifests)
            {
                return _manifests.Count;
            }
        }
    }

    /// <summary>Connects (a wake with a publish window) and reports its state, retained, as a node does after its first boot.</summary>
    public async Task ConnectAsync(int port, string? user = null, string? password = null)
    {
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            _inbox.Writer.TryWrite((e.ApplicationMessage.Topic, System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload)));
            return Task.CompletedTask;
        };
        await _client.ConnectAsync(MqttClientSetup.Loopback(port, "fake-ota-" + Id, user, password).Build());
        await ReportAsync();
        await _client.SubscribeAsync(Topics.Ota(Id), MqttQualityOfServiceLevel.AtLeastOnce);
        _loop = Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        await foreach (var (topic, payload) in _inbox.Reader.ReadAllAsync())
        {
            if (topic == Topics.Ota(Id))
            {
                if (payload.Length == 0)
                {
                    continue; // withdrawn
                }

                lock (_manifests)
                {
                    _manifests.Add(payload);
                }

                if (_updater.OfferManifest(payload, payload.Length) == OtaReply.Accepted)
                {
                    await ReportAsync();
                    await _client!.SubscribeAsync(Topics.AllOtaChunks(), MqttQualityOfServiceLevel.AtLeastOnce);
                }
                else
                {
                    await ReportAsync();
                }

                continue;
            }

            if (_updater.Pending is null || _updater.OfferChunk(payload, payload.Length) != OtaReply.Accepted)
            {
                continue;
            }

            await ReportAsync();
            if (!_updater.Complete)
            {
                continue;
            }

            await _client!.UnsubscribeAsync(Topics.AllOtaChunks());
            if (!_updater.VerifyAndSwitch())
            {
                await ReportAsync();
                continue;
            }

            Boot(); // the restart into the trial
            await ReportAsync();
            if (_script == Script.Good)
            {
                _loader.Confirm(); // sensors read, a batch acknowledged
                Boot();
            }
            else
            {
                for (int i = 0; i <= SlotLoader.DefaultMaxTrialBoots; i++)
                {
                    Boot(); // crashes and watchdog resets: the loader counts them and rolls back
                }
            }

            await ReportAsync();
        }
    }

    private void Boot()
    {
        _loader = new SlotLoader(new BootRecord(_state, 0), SlotLoader.DefaultMaxTrialBoots);
        _loader.BeginBoot();
        _updater = new OtaUpdater(_state, _slotA, _slotB, _loader, new HmacSha256(Key), Id.ToString(), "river", OtaVersion.Pack(1, 0, 0));
        _updater.Mount();
    }

    /// <summary>The state topic's <c>key=value</c> lines, published retained when they changed.</summary>
    private async Task ReportAsync()
    {
        var s = _updater.Status;
        string text = new StringBuilder()
            .Append("version=").Append(OtaVersion.Format(s.RunningVersion)).Append('\n')
            .Append("counter=").Append(s.RunningCounter).Append('\n')
            .Append("slot=").Append(s.Slot).Append('\n')
            .Append("state=").Append(s.State.ToString().ToLowerInvariant()).Append('\n')
            .Append("received=").Append(s.BytesReceived).Append('\n')
            .Append("total=").Append(s.BytesTotal).Append('\n')
            .Append("failure=").Append(s.LastFailure == OtaFailure.None ? "" : s.LastFailure.ToString()).Append('\n')
            .Append("detail=").Append(s.FailureDetail).Append('\n')
            .ToString();
        if (text == _lastReport)
        {
            return;
        }

        _lastReport = text;
        await _client!.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.OtaState(Id)).WithPayload(text)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build());
    }

    public async ValueTask DisposeAsync()
    {
        _inbox.Writer.TryComplete();
        if (_loop is not null)
        {
            await _loop;
        }

        if (_client is not null)
        {
            await _client.DisconnectAsync();
            _client.Dispose();
        }
    }
}
