using System;
using System.Device.Wifi;
using System.IO;
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
    /// IUplink: Wi-Fi (WifiNetworkHelper, always with a CancellationToken: without one it waits forever),
    /// then M2Mqtt over TLS with the broker's CA from I:, per-device credentials, QoS 1. M2Mqtt's
    /// in-flight queue is in RAM only; the node's flash journal is the real queue.
    /// </summary>
    internal sealed class EspUplink : IUplink
    {
        private readonly NodeConfig _c;
        private readonly UplinkEventQueue _events = new UplinkEventQueue();
        private MqttClient _client;
        private bool _wifiUp;

        public EspUplink(NodeConfig config) => _c = config;

        public bool IsConnected => _client != null && _client.IsConnected;

        public int Rssi => 0; // not exposed by the Wi-Fi API: diagnostics leave it out

        public UplinkStatus Connect(int timeoutMs)
        {
            // requiresDateTime = true: wait for SNTP (the firmware starts it on GOT_IP); timestamps need it.
            CancellationToken token = new CancellationTokenSource(timeoutMs).Token;
            _wifiUp = _wifiUp || (_c.WifiIp == null
                ? WifiNetworkHelper.ConnectDhcp(_c.WifiSsid, _c.WifiPassword, WifiReconnectionKind.Automatic, true, 0, token)
                : WifiNetworkHelper.ConnectFixAddress(_c.WifiSsid, _c.WifiPassword, new IPConfiguration(_c.WifiIp, _c.WifiNetmask, _c.WifiGateway,
                    _c.WifiDns == null ? null : new string[] { _c.WifiDns }), WifiReconnectionKind.Automatic, true, 0, token));
            if (!_wifiUp)
            {
                return UplinkStatus.NoNetwork;
            }

            try
            {
                X509Certificate ca = _c.MqttTls && _c.MqttCa != null ? new X509Certificate(File.ReadAllText(_c.MqttCa)) : null;
                _client = new MqttClient(_c.MqttHost, _c.MqttPort, _c.MqttTls, ca, null, _c.MqttTls ? MqttSslProtocols.TLSv1_2 : MqttSslProtocols.None);
                _client.ProtocolVersion = MqttProtocolVersion.Version_5;
                _client.MqttMsgPublished += (s, e) => _events.Published(e.MessageId, e.IsPublished, e.IsPublished ? 0 : -1); // no PUBACK reason code here
                _client.MqttMsgPublishReceived += (s, e) => _events.Message(e.Topic, e.Message);
                MqttReasonCode code = _client.Connect("citynode-" + _c.NodeId.ToString(), _c.MqttUsername, _c.MqttPassword, true, (ushort)_c.KeepAliveSeconds);
                if (code == MqttReasonCode.Success)
                {
                    return UplinkStatus.Ok;
                }

                Disconnect();
                return code == MqttReasonCode.BadUserNameOrPassword || code == MqttReasonCode.NotAuthorized ? UplinkStatus.AuthFailed : UplinkStatus.Refused;
            }
            catch (Exception)
            {
                Disconnect(); // socket, DNS or TLS failure
                return UplinkStatus.Timeout;
            }
        }

        public UplinkStatus Subscribe(string topic) =>
            IsConnected && _client.Subscribe(new string[] { topic }, new MqttQoSLevel[] { MqttQoSLevel.AtLeastOnce }) != 0 ? UplinkStatus.Ok : UplinkStatus.NotConnected;

        public int Publish(string topic, byte[] payload, int offset, int count)
        {
            byte[] message = new byte[count]; // M2Mqtt holds the array until PUBACK
            Array.Copy(payload, offset, message, 0, count);
            try
            {
                // The six-argument overload is the one M2Mqtt has (no Publish(topic, message, qos, retain)).
                return IsConnected ? _client.Publish(topic, message, null, null, MqttQoSLevel.AtLeastOnce, false) : -(int)UplinkStatus.NotConnected;
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

            _client?.Dispose();
            _client = null;
            _events.Clear();
            WifiNetworkHelper.Disconnect(); // radio off (120 mA); light sleep needs Wi-Fi stopped
            _wifiUp = false;
        }
    }
}
