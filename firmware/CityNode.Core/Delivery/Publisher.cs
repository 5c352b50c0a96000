using CityNode.Hal;
using CityNode.Storage;

namespace CityNode.Delivery
{
    /// <summary>
    /// Sends the pending batches of an <see cref="IBatchStore"/> over a connected uplink, oldest
    /// first, with a small window of QoS 1 publishes in flight. A publish the client gave up on
    /// (retries exhausted, connection lost) ends the session with the batch kept.
    ///
    /// What releases a batch from flash: by default its PUBACK (the broker has it), where a reason
    /// code ≥ 0x80 is a permanent refusal: the batch is quarantined and counted instead of being
    /// resent forever. With <see cref="AcknowledgeOn"/> (end to end, docs/reliability.md) only the
    /// backend's acknowledgement does: a PUBACK then just moves the window and marks the batch sent;
    /// a refusal keeps it and ends the session; batches sent but not acknowledged within the resend
    /// time are sent again (the receiver deduplicates on node and sequence). Pending sequence numbers
    /// are consecutive (stores release and drop oldest first), so "sent" is one number: the highest
    /// sequence PUBACKed.
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
        private readonly BackendAck _ack = new BackendAck();
        private IMessageSink _sink;
        private int _inFlight;
        private bool _failed;
        private string _ackTopic;
        private int _resendAfterSeconds;
        private IClock _clock;

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

        /// <summary>Batches released since boot (by PUBACK, or by the backend's acknowledgement when it is on).</summary>
        public long Acknowledged { get; private set; }

        /// <summary>The sequence of the batch released last this boot (by its PUBACK, or by the backend's acknowledgement when that is on); 0: none.</summary>
        public uint LastReleased { get; private set; }

        /// <summary>End to end: the highest sequence PUBACKed (0: none). Pending batches up to it wait for the backend.</summary>
        public uint SentThrough { get; private set; }

        /// <summary>End to end: Unix seconds when the oldest batch still waiting for the backend was PUBACKed.</summary>
        public long SentAt { get; private set; }

        /// <summary>End to end: the highest sequence the backend's acknowledgement released (0: none yet; kept over deep sleep).</summary>
        public uint BackendAcknowledged { get; private set; }

        /// <summary>End to end: refusals (PUBACK reason ≥ 0x80) of batches kept for a later try, since boot.</summary>
        public long RefusedKept { get; private set; }

        /// <summary>End to end: batches sent again because the backend did not acknowledge them in time (kept over deep sleep).</summary>
        public long Resent { get; private set; }

        /// <summary>
        /// Releases batches only on the backend's acknowledgement, read from <paramref name="ackTopic"/>;
        /// PUBACKed batches not acknowledged within <paramref name="resendAfterSeconds"/> are sent again.
        /// </summary>
        public void AcknowledgeOn(string ackTopic, int resendAfterSeconds)
        {
            _ackTopic = ackTopic;
            _resendAfterSeconds = resendAfterSeconds;
        }

        /// <summary>Brings back what a deep sleep kept: the sent mark and its time, the last acknowledged sequence, the resends so far.</summary>
        public void RestoreSent(uint sentThrough, long sentAt, uint backendAcknowledged, long resent)
        {
            SentThrough = sentThrough;
            SentAt = sentAt;
            BackendAcknowledged = backendAcknowledged;
            Resent = resent;
        }

        /// <summary>Sends every batch still waiting for the backend again at the next session (a planned shutdown, the bench check).</summary>
        public void ResendAll()
        {
            SentThrough = 0; // not counted in Resent: that counts what the backend failed to acknowledge in time
        }

        /// <summary>Pending batches already sent and waiting for the backend (0 without end-to-end acknowledgement).</summary>
        public int AwaitingBackend
        {
            get
            {
                uint oldest = _store.OldestSequence;
                if (_ackTopic == null || _store.PendingCount == 0 || SentThrough < oldest)
                {
                    return 0;
                }

                long n = (long)SentThrough - oldest + 1;
                return n > _store.PendingCount ? _store.PendingCount : (int)n;
            }
        }

        /// <summary>Batches a session at <paramref name="now"/> would send: the unsent ones, or all pending once the resend time has passed.</summary>
        public int ToSend(long now)
        {
            int waiting = AwaitingBackend;
            return waiting > 0 && now - SentAt >= _resendAfterSeconds ? _store.PendingCount : _store.PendingCount - waiting;
        }

        /// <summary>Publishes the client gave up on, since boot.</summary>
        public long Retries { get; private set; }

        /// <summary>
        /// Publishes until the store is empty (end to end: until every pending batch is sent), the
        /// deadline passes, or the session fails. Returns true when everything was PUBACKed (or quarantined).
        /// </summary>
        public bool Run(IUplink uplink, string topic, IClock clock, long deadlineMs)
        {
            _inFlight = 0;
            _failed = false;
            _clock = clock;
            uplink.Poll(0, this); // a retained acknowledgement that came with SUBACK releases first
            if (AwaitingBackend > 0 && clock.UnixSeconds - SentAt >= _resendAfterSeconds)
            {
                Resent += AwaitingBackend; // the backend did not store them in time: send them again
                SentThrough = 0;
            }

            while (!_failed)
            {
                while (_inFlight < _window)
                {
                    // The next sequence to send: after the last in flight, else after the sent mark.
                    uint oldest = _store.OldestSequence;
                    uint next = _inFlight > 0 ? _sequence[_inFlight - 1] + 1 : (_ackTopic != null && SentThrough >= oldest ? SentThrough + 1 : oldest);
                    if (_store.PendingCount == 0 || next < oldest || next - oldest >= (uint)_store.PendingCount)
                    {
                        break;
                    }

                    uint seq;
                    int length = _store.Read((int)(next - oldest), _payload, out seq);
                    if (length < 0 || seq != next)
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
            if (_ackTopic != null && topic == _ackTopic)
            {
                ReleaseStored(payload, offset, count);
                return;
            }

            if (_sink != null)
            {
                _sink.OnMessage(topic, payload, offset, count);
            }
        }

        /// <summary>The backend's acknowledgement: releases the oldest pending batches it covers, in order.</summary>
        private void ReleaseStored(byte[] payload, int offset, int count)
        {
            if (!_ack.Parse(payload, offset, count))
            {
                return; // malformed: keep everything
            }

            while (_store.PendingCount > 0)
            {
                uint oldest = _store.OldestSequence;
                if (!_ack.Covers(oldest))
                {
                    break;
                }

                _store.Release(oldest);
                BackendAcknowledged = oldest;
                LastReleased = oldest;
                Acknowledged++;
            }
        }

        /// <summary>Moves the PUBACKed prefix of the window out of it, oldest first: released, or (end to end) marked sent.</summary>
        private void ReleaseAcknowledged()
        {
            int done = 0;
            while (done < _inFlight && (_state[done] == Acked || _state[done] == Refused))
            {
                if (_ackTopic != null)
                {
                    if (_state[done] == Refused)
                    {
                        RefusedKept++;
                        _state[done] = Failed; // counted once
                        _failed = true; // kept: only the backend releases; the session ends and retries later
                        break;
                    }

                    if (AwaitingBackend == 0)
                    {
                        SentAt = _clock.UnixSeconds;
                    }

                    SentThrough = _sequence[done];
                }
                else if (_state[done] == Acked)
                {
                    _store.Release(_sequence[done]);
                    LastReleased = _sequence[done];
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
