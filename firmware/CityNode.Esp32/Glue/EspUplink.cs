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
    /// The uplink's nanoFramework calls: Wi-Fi (WifiNetworkHelper), then M2Mqtt (MQTT 5, TLS with the
    /// broker's CA from I:, per-device credentials, QoS 1); SessionUplink sequences them. Wi-Fi starts at
    /// boot when the saved options say Enable and joins when they say AutoConnect, and nothing but a reset
    /// stops it (nf-interpreter targets/ESP32/_Network/NF_ESP32_Wireless.cpp): the options saved before
    /// each deep sleep decide whether the next boot has a radio. Native waits (Wi-Fi connect ≤ 20 s,
    /// TCP SYN retries ≈ 6.5 s, CONNACK ≤ 30 s) cannot be cut short once started.
    /// </summary>
    internal sealed class EspUplink : SessionUplink
    {
        private readonly NodeConfig _c;
        private readonly EspClock _clock;
        private readonly Wireless80211Configuration _wifi;
        private readonly bool _radio;
        private MqttClient _client;

        public EspUplink(NodeConfig config, EspClock clock)
        {
            _c = config;
            _clock = clock;
            Wireless80211Configuration[] saved = Wireless80211Configuration.GetAllWireless80211Configurations();
            _wifi = saved.Length > 0 ? saved[0] : null;
            _radio = _wifi == null || (_wifi.Options & Wireless80211Configuration.ConfigurationOptions.Enable) != 0;
        }

        public override bool IsConnected => _client != null && _client.IsConnected;

        public override bool RadioThisBoot => _radio;

        protected override long NowMs => _clock.MonotonicMs;

        protected override bool ClockIsSet => _clock.IsSet;

        /// <summary>
        /// Saves the Wi-Fi options the firmware reads at the next reset: started (joined when the node
        /// connects), or off. Not AutoConnect: a join at boot is lost in the warm-up's light sleep (no
        /// beacon for 6 s) and paid twice.
        /// </summary>
        public override void RadioAtNextBoot(bool on)
        {
            Wireless80211Configuration.ConfigurationOptions want = on ? Wireless80211Configuration.ConfigurationOptions.Enable : Wireless80211Configuration.ConfigurationOptions.Disable;
            if (_wifi != null && (_wifi.Options != want || _wifi.Ssid != _c.WifiSsid || _wifi.Password != _c.WifiPassword))
            {
                _wifi.Options = want;
                _wifi.Ssid = _c.WifiSsid;
                _wifi.Password = _c.WifiPassword;
                _wifi.SaveConfiguration();
            }
        }

        // The helper waits for an address (and the time) until the token ends; a default token waits forever.
        protected override bool Join(int timeoutMs, bool needTime)
        {
            if (timeoutMs <= 0)
            {
                return false;
            }

            using (CancellationTokenSource cts = new CancellationTokenSource(timeoutMs))
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

        protected override void Leave() => WifiNetworkHelper.Disconnect(); // esp_wifi_disconnect: the radio stays started until a reset

        protected override UplinkStatus Open(long deadlineMs)
        {
            if (_c.MqttTls && _c.MqttCa == null)
            {
                Console.WriteLine("mqtt: mqtts:// needs mqtt.ca (the broker's CA on I:); not trusting the device store");
                return UplinkStatus.Refused;
            }

            X509Certificate ca = _c.MqttTls ? new X509Certificate(File.ReadAllText(_c.MqttCa)) : null;
            _client = new MqttClient(_c.MqttHost, _c.MqttPort, _c.MqttTls, ca, null, _c.MqttTls ? MqttSslProtocols.TLSv1_2 : MqttSslProtocols.None); // resolves the host
            if (_clock.MonotonicMs >= deadlineMs)
            {
                return UplinkStatus.Timeout;
            }

            _client.ProtocolVersion = MqttProtocolVersion.Version_5;

            // M2Mqtt reports IsPublished for any PUBACK and drops its MQTT 5 reason code: a refusal looks delivered (issue 19).
            _client.MqttMsgPublished += (s, e) => Published(e.MessageId, e.IsPublished, e.IsPublished ? 0 : -1);
            _client.MqttMsgPublishReceived += (s, e) => Received(e.Topic, e.Message);
            _client.MqttMsgSubscribed += (s, e) => Subscribed(e.MessageId, e.GrantedQoSLevels != null && e.GrantedQoSLevels.Length > 0 ? (int)e.GrantedQoSLevels[0] : 0x80);
            MqttReasonCode code = _client.Connect("citynode-" + _c.NodeId.ToString(), _c.MqttUsername, _c.MqttPassword, true, (ushort)_c.KeepAliveSeconds);
            return code == MqttReasonCode.Success ? UplinkStatus.Ok
                : code == MqttReasonCode.BadUserNameOrPassword || code == MqttReasonCode.NotAuthorized ? UplinkStatus.AuthFailed : UplinkStatus.Refused;
        }

        protected override void CloseSession()
        {
            MqttClient c = _client;
            _client = null;
            try
            {
                if (c != null && c.IsConnected)
                {
                    c.Disconnect();
                }
            }
            finally
            {
                c?.Dispose();
            }
        }

        protected override int SendSubscribe(string topic) => _client.Subscribe(new string[] { topic }, new MqttQoSLevel[] { MqttQoSLevel.AtLeastOnce });

        // Retained only for the node's update state (docs/ota.md): the backend reads it whenever it looks.
        protected override int SendPublish(string topic, byte[] message) => _client.Publish(topic, message, null, null, MqttQoSLevel.AtLeastOnce, CityNode.Telemetry.Topics.IsOtaState(topic));
    }
}
