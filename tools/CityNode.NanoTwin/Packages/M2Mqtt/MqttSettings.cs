using CityNode.NanoTwin;

namespace nanoFramework.M2Mqtt
{
    // upstream: nanoframework/nanoFramework.m2mqtt nanoFramework.M2Mqtt.Core/MqttSslProtocols.cs. Only None, TLSv1_2 and
    // TLSv1_3 map to an SslProtocols (M2Mqtt/Net/MqttNetworkChannel.cs MqttSslUtility.ToSslPlatformEnum); the others
    // throw ArgumentException inside Connect, which wraps it in MqttConnectionException.
    internal enum MqttSslProtocols
    {
        None,
        SSLv3,
        TLSv1_0,
        TLSv1_1,
        TLSv1_2,
        TLSv1_3,
    }

    // upstream: nanoframework/nanoFramework.m2mqtt M2Mqtt/MqttClient.cs (end of file).
    internal enum MqttProtocolVersion
    {
        Version_3_1 = 0x03,
        Version_3_1_1 = 0x04,
        Version_5 = 0x05,
    }

    /// <summary>M2Mqtt's settings: a singleton shared by every client of the program (a static, so per board and per boot here).</summary>
    // upstream: nanoframework/nanoFramework.m2mqtt M2Mqtt/MqttSettings.cs
    internal class MqttSettings
    {
        public const int BrokerDefaultPort = 1883;
        public const int BrokerDefaultSslPort = 8883;
        public const int DefaultTimeout = 30_000;
        public const int MaximumAttemptsRetry = 3;
        public const int DefaultDelayRetry = 1_000;
        public const int ConnectTimeout = 30_000;
        public const int DefaultInflightQueueSize = int.MaxValue;

        private MqttSettings()
        {
        }

        public int Port { get; internal set; } = BrokerDefaultPort;

        public int SslPort { get; internal set; } = BrokerDefaultSslPort;

        public int TimeoutOnConnection { get; internal set; } = ConnectTimeout;

        public int TimeoutOnReceiving { get; internal set; } = DefaultTimeout;

        public int AttemptsOnRetry { get; internal set; } = MaximumAttemptsRetry;

        public int DelayOnRetry { get; internal set; } = DefaultDelayRetry;

        public int InflightQueueSize { get; set; } = DefaultInflightQueueSize;

        public bool ValidateServerCertificate { get; set; } = true;

        public static MqttSettings Instance
        {
            get
            {
                var board = TwinBoard.Current;
                lock (board.Ram)
                {
                    if (!board.Ram.TryGetValue("nf.m2mqtt.settings", out var o))
                    {
                        o = new MqttSettings();
                        board.Ram["nf.m2mqtt.settings"] = o;
                    }

                    return (MqttSettings)o;
                }
            }
        }
    }
}
