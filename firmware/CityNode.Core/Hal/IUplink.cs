namespace CityNode.Hal
{
    /// <summary>Result of an uplink operation.</summary>
    public enum UplinkStatus
    {
        Ok = 0,
        /// <summary>No network (Wi-Fi did not associate or got no address in time).</summary>
        NoNetwork = 1,
        /// <summary>The broker did not answer in time.</summary>
        Timeout = 2,
        /// <summary>The broker refused the connection (reason code other than bad credentials).</summary>
        Refused = 3,
        /// <summary>Bad user name or password, or not authorised.</summary>
        AuthFailed = 4,
        /// <summary>Not connected: connect first.</summary>
        NotConnected = 5,
        /// <summary>The client's in-flight queue is full.</summary>
        QueueFull = 6,
        Error = 7,
    }

    /// <summary>Receives what the uplink reports while it is polled.</summary>
    public interface IUplinkEvents
    {
        /// <summary>
        /// A QoS 1 publish has an outcome. <paramref name="acknowledged"/> is true when the broker sent
        /// PUBACK; <paramref name="reasonCode"/> is the MQTT 5 reason code (0 on MQTT 3.1.1), or -1 when
        /// the client gave up without a PUBACK (retries exhausted, connection lost).
        /// </summary>
        void OnPublished(int handle, bool acknowledged, int reasonCode);

        /// <summary>A message arrived on a subscribed topic (the node's retained configuration).</summary>
        void OnMessage(string topic, byte[] payload, int offset, int count);
    }

    /// <summary>
    /// The node's way out: network plus an MQTT session. Every publish is QoS 1 and non-retained.
    /// The device glue implements it with nanoFramework.System.Device.Wifi and nanoFramework.M2Mqtt
    /// (TLS, per-device credentials); the host with MQTTnet.
    /// </summary>
    public interface IUplink
    {
        /// <summary>Brings up the network and the MQTT session, waiting at most <paramref name="timeoutMs"/>.</summary>
        UplinkStatus Connect(int timeoutMs);

        bool IsConnected { get; }

        /// <summary>Last received signal strength in dBm (0 when unknown).</summary>
        int Rssi { get; }

        UplinkStatus Subscribe(string topic);

        /// <summary>Starts a QoS 1 publish. Returns a positive handle reported later to OnPublished, or the negated <see cref="UplinkStatus"/>.</summary>
        int Publish(string topic, byte[] payload, int offset, int count);

        /// <summary>Delivers pending events, waiting up to <paramref name="timeoutMs"/> for the first one.</summary>
        void Poll(int timeoutMs, IUplinkEvents events);

        /// <summary>Clean MQTT disconnect and network down (before sleep).</summary>
        void Disconnect();
    }
}
