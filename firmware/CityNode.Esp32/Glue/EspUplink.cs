using System;
using System.Device.Wifi;
using System.IO;
using System.Net.NetworkInformation;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using CityNode.Config;
using CityNode.Hal;
using nanoFramework.M2Mqtt;
using nanoFramework.M2Mqtt.Messages;
using nanoFramework.Networking;

namespace CityNode.Esp32.Glue
{
    /// <summary>
    /// IUplink: Wi-Fi, then M2Mqtt (MQTT 5, TLS with the broker's CA from I:, per-device credentials, QoS 1).
    /// What the nanoFramework firmware does and this answers (nf-interpreter targets/ESP32/_Network/NF_ESP32_Wireless.cpp):
    /// Wi-Fi starts at boot when the saved options say Enable and joins when they say AutoConnect; no
    /// managed call stops it (Disconnect is esp_wifi_disconnect only). So the saved options decide, at each
    /// deep sleep, whether the next boot has a radio: joined at boot when it will publish, off otherwise.
    /// </summary>
    internal sealed class EspUplink : IUplink
    {
        private const int SubackWaitMs = 3000;
        private readonly NodeConfig _c;
        private readonly EspClock _clock;
        private readonly UplinkEventQueue _events = new UplinkEventQueue();
        private readonly AutoResetEvent _subscribed = new AutoResetEvent(false);
        private readonly Wireless80211Configuration _wifi;
        private MqttClient _client;
        private int _subscribeId;
        private int _grant;

        public EspUplink(NodeConfig config, EspClock clock)
        {
            _c = config;
            _clock = clock;
            Wireless80211Configuration[] saved = Wireless80211Configuration.GetAllWireless80211Configurations();
            _wifi = saved.Length > 0 ? saved[0] : null;
            RadioThisBoot = _wifi == null || (_wifi.Options & Wireless80211Configuration.ConfigurationOptions.Enable) != 0;
        }

        public bool IsConnected => _client != null && _client.IsConnected;

        /// <summary>Wi-Fi was started at this boot (the saved options had Enable): without it no connect can work until a reset.</summary>
        public bool RadioThisBoot { get; private set; }

        public int Rssi => 0; // only a 6 s Wi-Fi scan tells it (WifiAdapter.ScanAsync): left out of the diagnostics

        /// <summary>Saves the Wi-Fi options the firmware reads at the next reset: join at boot, or leave the radio off.</summary>
        public void RadioAtNextBoot(bool on)
        {
            Wireless80211Configuration.ConfigurationOptions want = on ? Wireless80211Configuration.ConfigurationOptions.AutoConnect : Wireless80211Configuration.ConfigurationOptions.Disable;
            if (_wifi != null && (_wifi.Options != want || _wifi.Ssid != _c.WifiSsid || _wifi.Password != _c.WifiPassword))
            {
                _wifi.Options = want;
                _wifi.Ssid = _c.WifiSsid;
                _wifi.Password = _c.WifiPassword;
                _wifi.SaveConfiguration();
            }
        }

        /// <summary>Joins Wi-Fi and waits for SNTP (after a power loss the RTC reads 1970), then leaves the network.</summary>
        public bool SetClock(int timeoutMs)
        {
            bool joined = Join(_clock.MonotonicMs + timeoutMs, true);
            WifiNetworkHelper.Disconnect();
            return joined && _clock.IsSet;
        }

        // Each stage starts only while the budget lasts; a native wait already started runs to its own
        // limit (Wi-Fi connect ≤ 20 s, TCP connect ≤ 6.5 s of SYN retries, CONNACK ≤ 30 s).
        public UplinkStatus Connect(int timeoutMs)
        {
            long deadline = _clock.MonotonicMs + timeoutMs;
            Drop();
            if (!RadioThisBoot || !Join(deadline, !_clock.IsSet))
            {
                WifiNetworkHelper.Disconnect(); // else the driver keeps retrying on every disconnect event
                return UplinkStatus.NoNetwork;
            }

            if (_c.MqttTls && _c.MqttCa == null)
            {
                Console.WriteLine("mqtt: mqtts:// needs mqtt.ca (the broker's CA on I:); not trusting the device store");
                return UplinkStatus.Refused;
            }

            try
            {
                X509Certificate ca = _c.MqttTls ? new X509Certificate(File.ReadAllText(_c.MqttCa)) : null;
                _client = _clock.MonotonicMs < deadline ? new MqttClient(_c.MqttHost, _c.MqttPort, _c.MqttTls, ca, null, _c.MqttTls ? MqttSslProtocols.TLSv1_2 : MqttSslProtocols.None) : null; // resolves the host
                if (_client == null || _clock.MonotonicMs >= deadline)
                {
                    Drop();
                    return UplinkStatus.Timeout;
                }

                _client.ProtocolVersion = MqttProtocolVersion.Version_5;
                _client.MqttMsgPublished += OnPublished;
                _client.MqttMsgPublishReceived += OnMessage;
                _client.MqttMsgSubscribed += OnSubscribed;
                MqttReasonCode code = _client.Connect("citynode-" + _c.NodeId.ToString(), _c.MqttUsername, _c.MqttPassword, true, (ushort)_c.KeepAliveSeconds);
                if (code != MqttReasonCode.Success)
                {
                    Drop();
                }

                return code == MqttReasonCode.Success ? UplinkStatus.Ok
                    : code == MqttReasonCode.BadUserNameOrPassword || code == MqttReasonCode.NotAuthorized ? UplinkStatus.AuthFailed : UplinkStatus.Refused;
            }
            catch (Exception)
            {
                Drop(); // DNS, socket, TLS or CONNACK timeout
                return UplinkStatus.Timeout;
            }
        }

        // M2Mqtt returns the message id at once; the broker's answer comes in SUBACK (MqttMsgSubscribed).
        public UplinkStatus Subscribe(string topic)
        {
            if (!IsConnected)
            {
                return UplinkStatus.NotConnected;
            }

            _grant = -1;
            _subscribed.Reset();
            _subscribeId = _client.Subscribe(new string[] { topic }, new MqttQoSLevel[] { MqttQoSLevel.AtLeastOnce });
            return !_subscribed.WaitOne(SubackWaitMs, false) ? UplinkStatus.Timeout : _grant < 0x80 ? UplinkStatus.Ok : UplinkStatus.Refused;
        }

        public int Publish(string topic, byte[] payload, int offset, int count)
        {
            if (!IsConnected)
            {
                return -(int)UplinkStatus.NotConnected;
            }

            byte[] message = new byte[count]; // M2Mqtt holds the array until PUBACK
            Array.Copy(payload, offset, message, 0, count);
            try
            {
                return _client.Publish(topic, message, null, null, MqttQoSLevel.AtLeastOnce, false);
            }
            catch (Exception)
            {
                return -(int)UplinkStatus.QueueFull;
            }
        }

        public void Poll(int timeoutMs, IUplinkEvents events) => _events.Drain(timeoutMs, events);

        public void Disconnect()
        {
            try
            {
                _client?.Disconnect();
            }
            catch (Exception)
            {
            }

            Drop();
            WifiNetworkHelper.Disconnect(); // esp_wifi_disconnect: the radio stays started until the next reset
        }

        private bool Join(long deadline, bool needTime)
        {
            long left = deadline - _clock.MonotonicMs;
            if (left <= 0)
            {
                return false;
            }

            // The helper waits for an address (and the time) until the token ends; the native connect inside it takes up to 20 s regardless.
            using (CancellationTokenSource cts = new CancellationTokenSource((int)left))
            {
                bool ok = _c.WifiIp == null
                    ? WifiNetworkHelper.ConnectDhcp(_c.WifiSsid, _c.WifiPassword, WifiReconnectionKind.Automatic, needTime, 0, cts.Token)
                    : WifiNetworkHelper.ConnectFixAddress(_c.WifiSsid, _c.WifiPassword, new IPConfiguration(_c.WifiIp, _c.WifiNetmask, _c.WifiGateway,
                        _c.WifiDns == null ? null : new string[] { _c.WifiDns }), WifiReconnectionKind.Automatic, needTime, 0, cts.Token);
                if (!ok)
                {
                    Exception e = WifiNetworkHelper.HelperException;
                    Console.WriteLine("wifi: " + _c.WifiSsid + ": " + WifiNetworkHelper.Status.ToString() + (e == null ? string.Empty : " (" + e.Message + ")"));
                }

                return ok;
            }
        }

        // Handlers run on M2Mqtt's thread, where an exception closes the connection: they only queue.
        // M2Mqtt reports IsPublished for any PUBACK and drops its MQTT 5 reason code: a refusal looks delivered.
        private void OnPublished(object sender, MqttMsgPublishedEventArgs e) => _events.Published(e.MessageId, e.IsPublished, e.IsPublished ? 0 : -1);

        private void OnMessage(object sender, MqttMsgPublishEventArgs e) => _events.Message(e.Topic, e.Message);

        private void OnSubscribed(object sender, MqttMsgSubscribedEventArgs e)
        {
            if (e.MessageId == _subscribeId)
            {
                _grant = e.GrantedQoSLevels != null && e.GrantedQoSLevels.Length > 0 ? (int)e.GrantedQoSLevels[0] : 0x80;
                _subscribed.Set();
            }
        }

        private void Drop()
        {
            MqttClient c = _client;
            _client = null;
            _events.Clear();
            try
            {
                c?.Dispose();
            }
            catch (Exception)
            {
            }
        }
    }
}
