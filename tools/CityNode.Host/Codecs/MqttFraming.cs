namespace CityNode.Host.Codecs;

/// <summary>Bytes of an MQTT 3.1.1 PUBLISH on the wire (§3.3): fixed header, remaining length, topic, packet id (QoS &gt; 0), payload.</summary>
public static class MqttFraming
{
    public static int PublishBytes(int topicBytes, int payloadBytes, int qos)
    {
        int remaining = 2 + topicBytes + (qos > 0 ? 2 : 0) + payloadBytes;
        int lengthBytes = remaining < 128 ? 1 : remaining < 16384 ? 2 : remaining < 2097152 ? 3 : 4;
        return 1 + lengthBytes + remaining;
    }
}
