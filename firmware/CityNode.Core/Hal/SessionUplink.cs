using System;
using System.Threading;

namespace CityNode.Hal
{
    /// <summary>
    /// An IUplink built from a platform's network and MQTT calls, with what they leave to the caller
    /// decided here, portable and tested: each connect stage starts only while the budget lasts (a
    /// native wait already started runs to its own limit), a failed join leaves the network (else the
    /// driver keeps retrying), MQTT client events are queued for the node's thread (an exception in a
    /// client's handler can close its connection), a subscription waits for SUBACK because the client
    /// returns before it, and a publish hands the client its own copy of the payload.
    /// </summary>
    public abstract class SessionUplink : IUplink
    {
        private const int SubackWaitMs = 3000;
        private readonly UplinkEventQueue _events = new UplinkEventQueue();
        private readonly AutoResetEvent _subscribed = new AutoResetEvent(false);
        private int _subscribeId;
        private int _grant;

        public abstract bool IsConnected { get; }

        public virtual int Rssi
        {
            get { return 0; }
        }

        /// <summary>The network can come up in this boot (false where the radio is chosen at reset and this boot has none).</summary>
        public abstract bool RadioThisBoot { get; }

        /// <summary>
        /// Saves whether the next boot brings the radio up (where the radio is chosen at reset, e.g. the
        /// ESP32's saved Wi-Fi options; elsewhere nothing to do).
        /// </summary>
        public abstract void RadioAtNextBoot(bool on);

        /// <summary>Milliseconds of the node's monotonic clock.</summary>
        protected abstract long NowMs { get; }

        /// <summary>The wall clock has been set (from the network).</summary>
        protected abstract bool ClockIsSet { get; }

        public UplinkStatus Connect(int timeoutMs)
        {
            long deadline = NowMs + timeoutMs;
            Close();
            if (!RadioThisBoot || !Join((int)(deadline - NowMs), !ClockIsSet))
            {
                Leave();
                return UplinkStatus.NoNetwork;
            }

            try
            {
                UplinkStatus status = NowMs >= deadline ? UplinkStatus.Timeout : Open(deadline);
                if (status != UplinkStatus.Ok)
                {
                    Disconnect(); // the network too: else the radio stays associated until something resets it
                }

                return status;
            }
            catch (Exception)
            {
                Disconnect(); // DNS, socket, TLS or the broker's answer
                return UplinkStatus.Timeout;
            }
        }

        /// <summary>Joins the network and, when <paramref name="needTime"/>, waits for network time; leaves it after. True when the clock is set.</summary>
        public bool SetClock(int timeoutMs)
        {
            bool joined = Join(timeoutMs, true);
            Leave();
            return joined && ClockIsSet;
        }

        public UplinkStatus Subscribe(string topic)
        {
            if (!IsConnected)
            {
                return UplinkStatus.NotConnected;
            }

            _grant = -1;
            _subscribed.Reset();
            _subscribeId = SendSubscribe(topic);
            return !EventWait.WaitOne(_subscribed, SubackWaitMs) ? UplinkStatus.Timeout : _grant < 0x80 ? UplinkStatus.Ok : UplinkStatus.Refused;
        }

        public int Publish(string topic, byte[] payload, int offset, int count)
        {
            if (!IsConnected)
            {
                return -(int)UplinkStatus.NotConnected;
            }

            byte[] message = new byte[count]; // the client holds it until PUBACK
            Array.Copy(payload, offset, message, 0, count);
            try
            {
                return SendPublish(topic, message);
            }
            catch (Exception)
            {
                return -(int)UplinkStatus.QueueFull;
            }
        }

        public void Poll(int timeoutMs, IUplinkEvents events)
        {
            _events.Drain(timeoutMs, events);
        }

        public void Disconnect()
        {
            Close();
            Leave();
        }

        /// <summary>Joins the network within about <paramref name="timeoutMs"/> (and waits for network time when asked).</summary>
        protected abstract bool Join(int timeoutMs, bool needTime);

        /// <summary>Leaves the network (what the platform can do: on nanoFramework the radio stays started).</summary>
        protected abstract void Leave();

        /// <summary>Opens the MQTT session; may throw.</summary>
        protected abstract UplinkStatus Open(long deadlineMs);

        /// <summary>Ends the MQTT session if there is one (quietly) and forgets its events.</summary>
        protected void Close()
        {
            _events.Clear();
            try
            {
                CloseSession();
            }
            catch (Exception)
            {
            }
        }

        protected abstract void CloseSession();

        /// <summary>Sends SUBSCRIBE (QoS 1); returns its message id.</summary>
        protected abstract int SendSubscribe(string topic);

        /// <summary>Starts a QoS 1 publish of <paramref name="message"/>; returns its message id.</summary>
        protected abstract int SendPublish(string topic, byte[] message);

        // What the client reports, from its own thread: only queued.
        protected void Published(int id, bool acknowledged, int reasonCode)
        {
            _events.Published(id, acknowledged, reasonCode);
        }

        protected void Received(string topic, byte[] payload)
        {
            _events.Message(topic, payload);
        }

        protected void Subscribed(int id, int grant)
        {
            if (id == _subscribeId)
            {
                _grant = grant;
                _subscribed.Set();
            }
        }
    }
}
