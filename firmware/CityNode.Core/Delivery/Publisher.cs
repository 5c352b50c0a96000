using CityNode.Hal;

namespace CityNode.Delivery
{
    /// <summary>
    /// Sends the pending batches of an <see cref="IBatchStore"/> over a connected uplink, oldest
    /// first, with a small window of QoS 1 publishes in flight, and releases each batch only when
    /// its PUBACK arrives. A PUBACK with an MQTT 5 reason code ≥ 0x80 is a permanent refusal: the
    /// batch is quarantined and counted instead of being resent forever. A publish the client gave
    /// up on (retries exhausted, connection lost) ends the session with the batch kept.
    /// </summary>
    public sealed class Publisher : IUplinkEvents
    {
        private const byte Waiting = 0;
        private const byte Acked = 1;
        private const byte Refused = 2;
        private const byte Failed = 3;

        private readonly IBatchStore _store;
        private readonly byte[] _payload;
        private readonly int[] _handle;
        private readonly uint[] _sequence;
        private readonly byte[] _state;
        private readonly int _window;
        private IMessageSink _sink;
        private int _inFlight;
        private bool _failed;

        public Publisher(IBatchStore store, int maxPayloadBytes, int window)
            : this(store, new byte[maxPayloadBytes], window)
        {
        }

        /// <summary>
        /// Reads batches into <paramref name="buffer"/>, which it uses only inside <see cref="Run"/>:
        /// the node shares it with the encoder, which seals before a session, never during one.
        /// </summary>
        public Publisher(IBatchStore store, byte[] buffer, int window)
        {
            _store = store;
            _payload = buffer;
            _window = window;
            _handle = new int[window];
            _sequence = new uint[window];
            _state = new byte[window];
        }

        /// <summary>Where subscription messages go (the configuration manager).</summary>
        public IMessageSink MessageSink
        {
            get { return _sink; }
            set { _sink = value; }
        }

        /// <summary>Batches acknowledged since boot.</summary>
        public long Acknowledged { get; private set; }

        /// <summary>Publishes the client gave up on, since boot.</summary>
        public long Retries { get; private set; }

        /// <summary>
        /// Publishes until the store is empty, the deadline passes, or the session fails.
        /// Returns true when everything pending was acknowledged (or quarantined).
        /// </summary>
        public bool Run(IUplink uplink, string topic, IClock clock, long deadlineMs)
        {
            _inFlight = 0;
            _failed = false;
            while (!_failed)
            {
                while (_inFlight < _window && _inFlight < _store.PendingCount)
                {
                    uint seq;
                    int length = _store.Read(_inFlight, _payload, out seq);
                    if (length < 0)
                    {
                        break;
                    }

                    int handle = uplink.Publish(topic, _payload, 0, length);
                    if (handle <= 0)
                    {
                        _failed = true;
                        break;
                    }

                    _handle[_inFlight] = handle;
                    _sequence[_inFlight] = seq;
                    _state[_inFlight] = Waiting;
                    _inFlight++;
                }

                if (_inFlight == 0)
                {
                    return !_failed;
                }

                long left = deadlineMs - clock.MonotonicMs;
                if (left <= 0 || !uplink.IsConnected)
                {
                    _failed = true;
                    break;
                }

                uplink.Poll((int)(left < 1000 ? left : 1000), this);
                ReleaseAcknowledged();
            }

            ReleaseAcknowledged();
            Retries += _inFlight > 0 ? 1 : 0;
            _inFlight = 0;
            return false;
        }

        public void OnPublished(int handle, bool acknowledged, int reasonCode)
        {
            for (int i = 0; i < _inFlight; i++)
            {
                if (_handle[i] == handle && _state[i] == Waiting)
                {
                    if (!acknowledged)
                    {
                        _state[i] = Failed;
                        _failed = true;
                    }
                    else
                    {
                        _state[i] = reasonCode >= 0x80 ? Refused : Acked;
                    }

                    return;
                }
            }
        }

        public void OnMessage(string topic, byte[] payload, int offset, int count)
        {
            if (_sink != null)
            {
                _sink.OnMessage(topic, payload, offset, count);
            }
        }

        /// <summary>Releases the acknowledged prefix of the window, oldest first.</summary>
        private void ReleaseAcknowledged()
        {
            int done = 0;
            while (done < _inFlight && (_state[done] == Acked || _state[done] == Refused))
            {
                if (_state[done] == Acked)
                {
                    _store.Release(_sequence[done]);
                    Acknowledged++;
                }
                else
                {
                    _store.Quarantine(_sequence[done]);
                }

                done++;
            }

            if (done == 0)
            {
                return;
            }

            for (int i = done; i < _inFlight; i++)
            {
                _handle[i - done] = _handle[i];
                _sequence[i - done] = _sequence[i];
                _state[i - done] = _state[i];
            }

            _inFlight -= done;
        }
    }
}
