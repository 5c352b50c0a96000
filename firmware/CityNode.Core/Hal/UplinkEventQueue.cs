using System.Threading;

namespace CityNode.Hal
{
    /// <summary>
    /// Hands an MQTT client's events, raised on its own thread, to the node's thread in
    /// <see cref="IUplink.Poll"/>, in order. Fixed capacity: the node keeps at most a few publishes
    /// in flight and receives one retained configuration per session.
    /// </summary>
    public sealed class UplinkEventQueue
    {
        private const int Capacity = 32;
        private readonly object _lock = new object();
        private readonly AutoResetEvent _signal = new AutoResetEvent(false);
        private readonly int[] _handle = new int[Capacity];
        private readonly int[] _reason = new int[Capacity];
        private readonly bool[] _acked = new bool[Capacity];
        private readonly string[] _topic = new string[Capacity];
        private readonly byte[][] _payload = new byte[Capacity][];
        private int _head;
        private int _count;

        /// <summary>A PUBACK arrived (<paramref name="acked"/>) or the client gave up on the publish.</summary>
        public void Published(int handle, bool acked, int reason)
        {
            Add(handle, acked, reason, null, null);
        }

        public void Message(string topic, byte[] payload)
        {
            Add(0, false, 0, topic, payload);
        }

        /// <summary>Waits up to <paramref name="timeoutMs"/> for an event if none is queued, then delivers all queued ones.</summary>
        public void Drain(int timeoutMs, IUplinkEvents events)
        {
            if (Count == 0)
            {
                EventWait.WaitOne(_signal, timeoutMs);
            }

            while (true)
            {
                int i;
                lock (_lock)
                {
                    if (_count == 0)
                    {
                        return;
                    }

                    i = _head;
                    _head = (_head + 1) % Capacity;
                    _count--;
                }

                if (_topic[i] != null)
                {
                    events.OnMessage(_topic[i], _payload[i], 0, _payload[i].Length);
                    _topic[i] = null;
                    _payload[i] = null;
                }
                else
                {
                    events.OnPublished(_handle[i], _acked[i], _reason[i]);
                }
            }
        }

        /// <summary>Forgets what a closed session left behind.</summary>
        public void Clear()
        {
            lock (_lock)
            {
                _count = 0;
            }
        }

        public int Count
        {
            get
            {
                lock (_lock)
                {
                    return _count;
                }
            }
        }

        private void Add(int handle, bool acked, int reason, string topic, byte[] payload)
        {
            lock (_lock)
            {
                if (_count == Capacity)
                {
                    return; // cannot happen with the node's window; a lost event only means a resend
                }

                int i = (_head + _count) % Capacity;
                _handle[i] = handle;
                _acked[i] = acked;
                _reason[i] = reason;
                _topic[i] = topic;
                _payload[i] = payload;
                _count++;
            }

            _signal.Set();
        }
    }
}
