namespace CityNode.Delivery
{
    /// <summary>Receives messages arriving on the node's subscriptions (its retained configuration).</summary>
    public interface IMessageSink
    {
        void OnMessage(string topic, byte[] payload, int offset, int count);
    }
}
