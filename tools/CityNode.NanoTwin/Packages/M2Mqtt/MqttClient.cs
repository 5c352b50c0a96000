using System.Collections;
using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using CityNode.NanoTwin;
using nanoFramework.M2Mqtt.Exceptions;
using nanoFramework.M2Mqtt.Messages;
using nanoFramework.Networking;
using Net = MQTTnet;
using X509Certificate = CityNode.NanoTwin.Clr.X509Certificate;

namespace nanoFramework.M2Mqtt
{
    // upstream: nanoframework/nanoFramework.m2mqtt nanoFramework.M2Mqtt.Core/IMqttClient.cs (the event delegate types are nested here).
    internal interface IMqttClient
    {
        delegate void MqttMsgPublishEventHandler(object sender, MqttMsgPublishEventArgs e);

        delegate void MqttMsgPublishedEventHandler(object sender, MqttMsgPublishedEventArgs e);

        delegate void MqttMsgSubscribedEventHandler(object sender, MqttMsgSubscribedEventArgs e);

        delegate void MqttMsgUnsubscribedEventHandler(object sender, MqttMsgUnsubscribedEventArgs e);

        delegate void ConnectionClosedEventHandler(object sender, EventArgs e);

        event MqttMsgPublishEventHandler MqttMsgPublishReceived;

        event MqttMsgPublishedEventHandler MqttMsgPublished;

        event MqttMsgSubscribedEventHandler MqttMsgSubscribed;

        event MqttMsgUnsubscribedEventHandler MqttMsgUnsubscribed;

        event ConnectionClosedEventHandler ConnectionClosed;

        MqttReasonCode Connect(string clientId, string? username, string? password, bool willRetain, MqttQoSLevel willQosLevel,
            bool willFlag, string? willTopic, string? willMessage, bool cleanSession, ushort keepAlivePeriod);

        void Disconnect();

        ushort Subscribe(string[] topics, MqttQoSLevel[] qosLevels);

        ushort Unsubscribe(string[] topics);

        ushort Publish(string topic, byte[] message, string? contentType, ArrayList? userProperties, MqttQoSLevel qosLevel, bool retain);

        ushort Publish(string topic, byte[] message, string? contentType);

        ushort Publish(string topic, byte[] message);

        void Close();
    }

    /// <summary>
    /// M2Mqtt's client with its behaviour on the ESP32, over a real MQTT connection (MQTTnet) on the
    /// board's virtual clock. Its worker thread plays M2Mqtt's inflight, keep-alive and dispatch threads:
    /// retries, keep-alive and the events the program's handlers receive; first sends are made at the caller's time.
    /// </summary>
    // upstream: nanoframework/nanoFramework.m2mqtt M2Mqtt/MqttClient.cs and M2Mqtt/Net/MqttNetworkChannel.cs (v5.1.220).
    internal class MqttClient : IMqttClient, IDisposable
    {
        // Modelled costs on the board's clock.
        private const int RoundTripMs = 30;       // one LAN round trip (SYN/SYN-ACK, CONNECT/CONNACK)
        private const int TlsHandshakeMs = 1500;  // mbedTLS full handshake with certificate checks on the ESP32 (CPU busy)

        // A SYN nobody answers: lwIP keeps the initial RTO in SYN_SENT (no backoff) and drops the pcb once
        // nrtx reaches TCP_SYNMAXRTX (espressif/esp-lwip src/core/tcp.c tcp_slowtmr). nanoFramework sets
        // CONFIG_LWIP_TCP_SYNMAXRTX=4 (nf-interpreter targets/ESP32/_IDF/sdkconfig.default line 58); ESP-IDF 5.5.4's
        // CONFIG_LWIP_TCP_RTO_TIME is 1500 ms with high-speed retransmission (components/lwip/Kconfig), on a 500 ms
        // slow timer: SYN at 0, resent at 1.5, 3, 4.5, 6 s, given up at the 6.5 s tick. Socket.Connect has no
        // timeout of its own (nanoframework/System.Net Sockets/Socket.cs Connect: Poll(-1, SelectWrite)).
        private const int SynGiveUpMs = 6500;

        // Real-time bounds, so a silent broker does not stall a simulation.
        private const int RealConnectCapMs = 5000;
        private const int RealAckGraceMs = 2000;  // a live broker's PUBACK arrives well within this
        private const int WorkerTickMs = 20;

        private readonly TwinBoard _board;
        private readonly int _boot;
        private readonly object _lock = new();
        private readonly AutoResetEvent _signal = new(false);
        private readonly List<Pending> _inflight = new();
        private readonly Queue<Action> _events = new();
        private readonly string _host;
        private readonly int _port;
        private readonly bool _secure;
        private readonly X509Certificate? _caCert;
        private readonly MqttSslProtocols _sslProtocol;
        private readonly string _address;
        private readonly MqttSettings _settings;
        private Net.IMqttClient? _net;
        private Thread? _worker;
        private bool _running;
        private bool _closing;
        private bool _channelOpen;
        private int _keepAliveMs;
        private long _lastCommAt;
        private long _pingSentAt = -1;
        private ushort _messageIdCounter;

        // upstream: MqttClient(string brokerHostName): port 1883, no TLS.
        public MqttClient(string brokerHostName)
            : this(brokerHostName, MqttSettings.BrokerDefaultPort, false, null, null, MqttSslProtocols.None)
        {
        }

        /// <summary>Resolves the host name now (Dns.GetHostEntry): SocketException when it is unknown or there is no network.</summary>
        // upstream: MqttClient ctor → Init (ProtocolVersion = 3.1.1, Settings.Port/SslPort = brokerPort) → new MqttNetworkChannel,
        // whose ctor calls Dns.GetHostEntry (M2Mqtt/Net/MqttNetworkChannel.cs).
        public MqttClient(string brokerHostName, int brokerPort, bool secure, X509Certificate? caCert, X509Certificate? clientCert, MqttSslProtocols sslProtocol)
        {
            _board = TwinBoard.Current;
            _board.EnsureRunning();
            _boot = _board.Boots;
            ProtocolVersion = MqttProtocolVersion.Version_3_1_1;
            _host = brokerHostName;
            _port = brokerPort;
            _secure = secure;
            _caCert = caCert;
            _ = clientCert; // null: the device's stored certificate (none on this board); a given one is not modelled
            _sslProtocol = sslProtocol;
            _settings = MqttSettings.Instance;
            if (secure)
            {
                _settings.SslPort = brokerPort;
            }
            else
            {
                _settings.Port = brokerPort;
            }

            _address = WifiTwin.Resolve(_board, brokerHostName);
        }

        // upstream: IMqttClient events; raised on the client's own thread (DispatchEventThread).
        public event IMqttClient.MqttMsgPublishEventHandler? MqttMsgPublishReceived;

        public event IMqttClient.MqttMsgPublishedEventHandler? MqttMsgPublished;

        public event IMqttClient.MqttMsgSubscribedEventHandler? MqttMsgSubscribed;

        public event IMqttClient.MqttMsgUnsubscribedEventHandler? MqttMsgUnsubscribed;

        public event IMqttClient.ConnectionClosedEventHandler? ConnectionClosed;

        /// <summary>True from a successful Connect until the connection closes (false at once on closing).</summary>
        public bool IsConnected { get; private set; }

        public string? ClientId { get; private set; }

        public bool CleanSession { get; private set; }

        public MqttProtocolVersion ProtocolVersion { get; set; }

        public MqttSettings Settings => _settings;

        // upstream: Connect(clientId) → 10-argument Connect, clean session, keep-alive 60 s (MqttMsgConnect.KEEP_ALIVE_PERIOD_DEFAULT).
        public MqttReasonCode Connect(string clientId) => Connect(clientId, null, null, false, MqttQoSLevel.AtMostOnce, false, null, null, true, 60);

        public MqttReasonCode Connect(string clientId, bool cleanSession) =>
            Connect(clientId, null, null, false, MqttQoSLevel.AtMostOnce, false, null, null, cleanSession, 60);

        public MqttReasonCode Connect(string clientId, string? username, string? password) =>
            Connect(clientId, username, password, false, MqttQoSLevel.AtMostOnce, false, null, null, true, 60);

        public MqttReasonCode Connect(string clientId, string? username, string? password, bool cleanSession, ushort keepAlivePeriod) =>
            Connect(clientId, username, password, false, MqttQoSLevel.AtMostOnce, false, null, null, cleanSession, keepAlivePeriod);

        /// <summary>
        /// Socket connect (no timeout of its own), TLS handshake, then CONNACK awaited up to 30 s. A socket or TLS
        /// failure throws MqttConnectionException; no CONNACK throws MqttCommunicationException; a refusal is the return code.
        /// </summary>
        // upstream: MqttClient.Connect (10 args): _channel.Connect() wrapped in MqttConnectionException, then
        // SendReceive(connect) with MqttSettings.DefaultTimeout (throws MqttCommunicationException on timeout), and on
        // Success the keep-alive, dispatch and inflight threads start and IsConnected = true.
        public MqttReasonCode Connect(string clientId, string? username, string? password, bool willRetain, MqttQoSLevel willQosLevel,
            bool willFlag, string? willTopic, string? willMessage, bool cleanSession, ushort keepAlivePeriod)
        {
            _board.EnsureRunning();
            if (_secure && _sslProtocol is not (MqttSslProtocols.None or MqttSslProtocols.TLSv1_2 or MqttSslProtocols.TLSv1_3))
            {
                throw new MqttConnectionException("Exception connecting to the broker", new ArgumentException("SSL/TLS protocol version not supported"));
            }

            StopClient();
            if (!WifiTwin.HasIp(_board))
            {
                // No address on the station: lwIP has no route and fails the connect at once.
                throw SocketFailure(new SocketException((int)SocketError.HostUnreachable));
            }

            if (!_board.Network.Up())
            {
                _board.Ledger.Book(CpuState.Idle, SynGiveUpMs);
                _board.EnsureRunning();
                throw SocketFailure(new SocketException((int)SocketError.TimedOut));
            }

            var client = new Net.MqttClientFactory().CreateMqttClient();
            client.ApplicationMessageReceivedAsync += OnNetMessage;
            client.DisconnectedAsync += _ => { OnConnectionClosing(); return Task.CompletedTask; };
            Net.MqttClientConnectResultCode code;
            try
            {
                var result = client.ConnectAsync(Options(clientId, username, password, willRetain, willQosLevel, willFlag, willTopic, willMessage,
                    cleanSession, keepAlivePeriod)).GetAwaiter().GetResult();
                code = result.ResultCode;
            }
            catch (Net.Adapter.MqttConnectingFailedException e) when (e.InnerException is not Net.Exceptions.MqttCommunicationException)
            {
                code = RefusalIn(e); // MQTTnet 5 reports a refusing CONNACK as this exception, naming the reason code
            }
            catch (Exception e)
            {
                client.Dispose();
                throw ConnectFailure(e);
            }

            _board.Ledger.Book(CpuState.Idle, RoundTripMs);
            if (_secure)
            {
                _board.Ledger.Book(CpuState.Active, TlsHandshakeMs);
            }

            _board.Ledger.Book(CpuState.Idle, RoundTripMs);
            _board.EnsureRunning();
            _channelOpen = true;
            if (code != Net.MqttClientConnectResultCode.Success)
            {
                client.Dispose();
                return Refusal(code);
            }

            lock (_lock)
            {
                _net = client;
                ClientId = clientId;
                CleanSession = cleanSession;
                _keepAliveMs = keepAlivePeriod * 1000;
                _lastCommAt = _board.Time.NowMs;
                _pingSentAt = -1;
                _running = true;
                _closing = false;
                IsConnected = true;
            }

            _worker = new Thread(Work) { IsBackground = true, Name = "m2mqtt " + clientId };
            _worker.Start();
            return MqttReasonCode.Success;
        }

        /// <summary>Sends DISCONNECT and closes; throws MqttCommunicationException when the socket is already gone.</summary>
        // upstream: MqttClient.Disconnect: Send(DISCONNECT) (MqttCommunicationException on a closed channel), then OnConnectionClosing.
        public void Disconnect()
        {
            _board.EnsureRunning();
            Net.IMqttClient? net;
            lock (_lock)
            {
                net = _net;
            }

            if (!_channelOpen || net is null || !net.IsConnected)
            {
                throw new MqttCommunicationException(new SocketException((int)SocketError.NotConnected));
            }

            if (_board.Network.Up())
            {
                try
                {
                    using var cts = new CancellationTokenSource(RealConnectCapMs);
                    net.DisconnectAsync(new Net.MqttClientDisconnectOptions(), cts.Token).GetAwaiter().GetResult();
                }
                catch (Exception e) when (e is not CpuHaltedException)
                {
                    throw new MqttCommunicationException(e);
                }
            }

            OnConnectionClosing();
        }

        /// <summary>Stops the client's threads, forgets every queued and in-flight message (no events), closes the socket.</summary>
        // upstream: MqttClient.Close: _isRunning = false, Thread.Sleep(200), joins, clears the queues, _channel.Close(), IsConnected = false.
        public void Close()
        {
            bool onWorker = Thread.CurrentThread == _worker;
            if (!onWorker)
            {
                _board.Idle(200);
            }

            StopClient();
        }

        // upstream: MqttClient.Dispose: OnConnectionClosing(); Close(). No DISCONNECT is sent.
        public void Dispose()
        {
            OnConnectionClosing();
            Close();
        }

        /// <summary>Returns the message id at once; SUBACK comes as MqttMsgSubscribed (a refused filter shows only there).</summary>
        // upstream: MqttClient.Subscribe: GetMessageId, EnqueueInflight; no event when SUBACK never comes.
        public ushort Subscribe(string[] topics, MqttQoSLevel[] qosLevels)
        {
            _board.EnsureRunning();
            ushort id = GetMessageId();
            Send(() => SendSubscribe(id, topics, qosLevels));
            return id;
        }

        // upstream: MqttClient.Unsubscribe: as Subscribe, answered by MqttMsgUnsubscribed.
        public ushort Unsubscribe(string[] topics)
        {
            _board.EnsureRunning();
            ushort id = GetMessageId();
            Send(() => SendUnsubscribe(id, topics));
            return id;
        }

        // upstream: Publish(topic, message): QoS 0, not retained.
        public ushort Publish(string topic, byte[] message) => Publish(topic, message, null, null, MqttQoSLevel.AtMostOnce, false);

        public ushort Publish(string topic, byte[] message, string? contentType) => Publish(topic, message, contentType, null, MqttQoSLevel.AtMostOnce, false);

        public ushort Publish(string topic, byte[] message, string? contentType, ArrayList? userProperties) =>
            Publish(topic, message, contentType, userProperties, MqttQoSLevel.AtMostOnce, false);

        /// <summary>
        /// Queues the message and returns its id at once. QoS 1/2: MqttMsgPublished(IsPublished = true) on any
        /// PUBACK/PUBCOMP, whatever its reason code; false when the retries run out; nothing when the connection closes first.
        /// </summary>
        // upstream: MqttClient.Publish (6 args) → ComposeMqttMsgPublish (content type / user properties need v5:
        // NotSupportedException; non-UserProperty items: ArgumentException) → EnqueueInflight; a full queue throws
        // MqttClientException(InflightQueueFull). The inflight thread sends and retries (ProcessInflightThread).
        public ushort Publish(string topic, byte[] message, string? contentType, ArrayList? userProperties, MqttQoSLevel qosLevel, bool retain)
        {
            _board.EnsureRunning();
            ushort id = GetMessageId();
            if (!string.IsNullOrEmpty(contentType) && ProtocolVersion < MqttProtocolVersion.Version_5)
            {
                throw new NotSupportedException();
            }

            if (userProperties is { Count: > 0 })
            {
                if (ProtocolVersion < MqttProtocolVersion.Version_5)
                {
                    throw new NotSupportedException();
                }

                foreach (object? p in userProperties)
                {
                    if (p is not UserProperty)
                    {
                        throw new ArgumentException();
                    }
                }
            }

            var pending = new Pending(id, topic, message, contentType, userProperties, qosLevel, retain);
            lock (_lock)
            {
                if (_inflight.Count >= _settings.InflightQueueSize)
                {
                    throw new MqttClientException(MqttClientErrorCode.InflightQueueFull);
                }
            }

            Send(() => SendPublish(pending));
            return id;
        }

        // upstream: MqttClient.GetMessageId: 1..65535, wrapping to 1.
        private ushort GetMessageId()
        {
            lock (_lock)
            {
                _messageIdCounter = _messageIdCounter % ushort.MaxValue != 0 ? (ushort)(_messageIdCounter + 1) : (ushort)1;
                return _messageIdCounter;
            }
        }

        private Net.MqttClientOptions Options(string clientId, string? username, string? password, bool willRetain, MqttQoSLevel willQos,
            bool willFlag, string? willTopic, string? willMessage, bool cleanSession, ushort keepAlive)
        {
            var b = new Net.MqttClientOptionsBuilder()
                .WithTcpServer(_address, _port)
                .WithClientId(clientId)
                .WithProtocolVersion(ProtocolVersion switch
                {
                    MqttProtocolVersion.Version_5 => Net.Formatter.MqttProtocolVersion.V500,
                    MqttProtocolVersion.Version_3_1 => Net.Formatter.MqttProtocolVersion.V310,
                    _ => Net.Formatter.MqttProtocolVersion.V311,
                })
                .WithCleanSession(cleanSession)
                .WithKeepAlivePeriod(TimeSpan.FromSeconds(keepAlive))
                .WithTimeout(TimeSpan.FromMilliseconds(RealConnectCapMs));
            if (username is not null)
            {
                b = b.WithCredentials(username, password);
            }

            if (willFlag && willTopic is not null)
            {
                b = b.WithWillTopic(willTopic)
                    .WithWillPayload(System.Text.Encoding.UTF8.GetBytes(willMessage ?? ""))
                    .WithWillQualityOfServiceLevel((MQTTnet.Protocol.MqttQualityOfServiceLevel)willQos)
                    .WithWillRetain(willRetain);
            }

            if (_secure)
            {
                b = b.WithTlsOptions(new Net.MqttClientTlsOptionsBuilder()
                    .UseTls()
                    .WithTargetHost(_host)
                    .WithSslProtocols(_sslProtocol == MqttSslProtocols.TLSv1_3 ? SslProtocols.Tls13 : SslProtocols.Tls12)
                    .WithCertificateValidationHandler(e => ServerTrusted(e.Certificate, e.SslPolicyErrors))
                    .Build());
            }

            return b.Build();
        }

        /// <summary>
        /// mbedTLS's check as nanoFramework configures it: the chain must end in the CA given (or, without one, the
        /// host's store stands in for the device's), the name must match, and the validity dates are checked against
        /// the board's RTC (MBEDTLS_HAVE_TIME_DATE with nf_get_unix_epoch: a clock still in 1970 fails the handshake).
        /// </summary>
        // upstream: nf-interpreter src/PAL/COM/sockets/ssl/MbedTLS/nf_mbedtls_config.h (MBEDTLS_HAVE_TIME_DATE,
        // MBEDTLS_PLATFORM_TIME_MACRO nf_get_unix_epoch) and ssl_generic.cpp; M2Mqtt MqttSettings.ValidateServerCertificate
        // → SslVerification.NoVerification when false.
        private bool ServerTrusted(System.Security.Cryptography.X509Certificates.X509Certificate? presented, SslPolicyErrors errors)
        {
            if (!_settings.ValidateServerCertificate)
            {
                return true;
            }

            if (presented is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationTime = DateTimeOffset.FromUnixTimeMilliseconds(_board.RtcUnixMs).UtcDateTime;
            if (_caCert is not null)
            {
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(_caCert.ToHost());
            }

            using var leaf = new X509Certificate2(presented);
            return chain.Build(leaf);
        }

        // upstream: MqttMsgConnack.Parse casts the return byte; v3.1.1 refusals are 1..5, v5 the reason code.
        private MqttReasonCode Refusal(Net.MqttClientConnectResultCode code)
        {
            if (ProtocolVersion == MqttProtocolVersion.Version_5)
            {
                return (MqttReasonCode)(int)code;
            }

            return code switch
            {
                Net.MqttClientConnectResultCode.UnsupportedProtocolVersion => MqttReasonCode.ConnectionRefusedUnacceptableProtocolVersion,
                Net.MqttClientConnectResultCode.ClientIdentifierNotValid => MqttReasonCode.ConnectionRefusedIdentifierRejected,
                Net.MqttClientConnectResultCode.BadUserNameOrPassword => MqttReasonCode.ConnectionRefusedBadUserNameOrPassword,
                Net.MqttClientConnectResultCode.NotAuthorized => MqttReasonCode.ConnectionRefusedNotAuthorized,
                _ => MqttReasonCode.ConnectionRefusedServerUnavailable,
            };
        }

        private static Net.MqttClientConnectResultCode RefusalIn(Exception e)
        {
            string text = e.Message + " " + e.InnerException?.Message;
            foreach (var code in Enum.GetValues<Net.MqttClientConnectResultCode>().OrderByDescending(c => c.ToString().Length))
            {
                if (code != Net.MqttClientConnectResultCode.Success && text.Contains(code.ToString(), StringComparison.Ordinal))
                {
                    return code;
                }
            }

            return Net.MqttClientConnectResultCode.UnspecifiedError;
        }

        // A failed MQTTnet connect, mapped to where M2Mqtt would fail and what it would have cost.
        private Exception ConnectFailure(Exception e)
        {
            var socket = Find<SocketException>(e);
            if (socket is not null)
            {
                _board.Ledger.Book(CpuState.Idle, RoundTripMs); // RST: refused at once
                return SocketFailure(socket);
            }

            if (Find<AuthenticationException>(e) is { } tls)
            {
                _board.Ledger.Book(CpuState.Idle, RoundTripMs);
                _board.Ledger.Book(CpuState.Active, TlsHandshakeMs);
                return new MqttConnectionException("Exception connecting to the broker", tls);
            }

            // The socket and TLS were up but no CONNACK: SendReceive waits MqttSettings.DefaultTimeout.
            _board.Ledger.Book(CpuState.Idle, RoundTripMs);
            if (_secure)
            {
                _board.Ledger.Book(CpuState.Active, TlsHandshakeMs);
            }

            _board.Ledger.Book(CpuState.Idle, MqttSettings.DefaultTimeout);
            _board.EnsureRunning();
            return new MqttCommunicationException();
        }

        private static MqttConnectionException SocketFailure(SocketException e) =>
            new($"Socket exception connecting to the broker: {e.ErrorCode}", e);

        private static T? Find<T>(Exception? e)
            where T : Exception
        {
            for (; e is not null; e = e.InnerException)
            {
                if (e is T t)
                {
                    return t;
                }
            }

            return null;
        }

        // M2Mqtt queues the message and its inflight thread sends it at once; the twin sends from the caller so the
        // send happens at the caller's virtual time. Not connected (or closed): upstream queues it where no thread
        // runs, so it is never sent and raises no event.
        private void Send(Action send)
        {
            lock (_lock)
            {
                if (!_running || _closing)
                {
                    return;
                }
            }

            send();
        }

        // The inflight thread's QueuedQos* states: send (or resend with DUP) and wait for the answer.
        private void SendPublish(Pending p)
        {
            if (p.Topic.Length is < 1 or > 65535 || p.Topic.Contains('#', StringComparison.Ordinal) || p.Topic.Contains('+', StringComparison.Ordinal))
            {
                // MqttMsgPublish.GetBytes throws MqttClientException on the inflight thread: the connection closes.
                OnConnectionClosing();
                return;
            }

            long now = _board.Time.NowMs;
            _lastCommAt = now;
            bool up = _board.Network.Up();
            if (CityNode.NanoTwin.Clr.TwinApplication.IsSilent(_board) && CityNode.Telemetry.Topics.IsTelemetry(p.Topic))
            {
                // A release loaded with the "silent" defect (Clr/Assembly.cs): its batches never get out; the client reports the publish failed.
                lock (_lock)
                {
                    _events.Enqueue(() => MqttMsgPublished?.Invoke(this, new MqttMsgPublishedEventArgs(p.Id, false)));
                }

                return;
            }

            if (p.Qos != MqttQoSLevel.AtMostOnce)
            {
                lock (_lock)
                {
                    if (!_inflight.Contains(p))
                    {
                        _inflight.Add(p);
                    }

                    p.Attempt++;
                    p.SentAt = now;
                    p.SentReal.Restart();
                    p.Answerable = up;
                }
            }

            if (!up)
            {
                return; // the bytes go into the socket and nowhere
            }

            var message = new Net.MqttApplicationMessageBuilder()
                .WithTopic(p.Topic)
                .WithPayload(p.Payload)
                .WithQualityOfServiceLevel((MQTTnet.Protocol.MqttQualityOfServiceLevel)p.Qos)
                .WithRetainFlag(p.Retain);
            if (p.ContentType is not null)
            {
                message = message.WithContentType(p.ContentType);
            }

            foreach (UserProperty u in p.UserProperties ?? new ArrayList())
            {
                message = message.WithUserProperty(u.Name, new ReadOnlyMemory<byte>(System.Text.Encoding.UTF8.GetBytes(u.Value)));
            }

            int attempt = p.Attempt;
            var net = _net;
            if (net is null)
            {
                return;
            }

            net.PublishAsync(message.Build()).ContinueWith(t =>
            {
                if (!t.IsCompletedSuccessfully)
                {
                    OnConnectionClosing(); // the real socket broke
                    return;
                }

                if (p.Qos == MqttQoSLevel.AtMostOnce)
                {
                    return;
                }

                lock (_lock)
                {
                    if (!_inflight.Contains(p))
                    {
                        return;
                    }

                    if (!_board.Network.Up() || _board.Network.Random.NextDouble() < _board.Network.AckLossProbability)
                    {
                        // PUBACK lost on the way back: the broker has the message, the client waits and resends.
                        if (attempt == p.Attempt)
                        {
                            p.Answerable = false;
                        }

                        return;
                    }

                    // Any PUBACK (or PUBCOMP) for the id confirms it; the v5 reason code is not looked at
                    // (ProcessInflightThread: MsgPublishedInternalEvent(msgReceived, true)).
                    _inflight.Remove(p);
                    _events.Enqueue(() => MqttMsgPublished?.Invoke(this, new MqttMsgPublishedEventArgs(p.Id, true)));
                }

                _signal.Set();
            }, TaskScheduler.Default);
        }

        private void SendSubscribe(ushort id, string[] topics, MqttQoSLevel[] qos)
        {
            if (topics is null || topics.Length == 0 || qos is null || qos.Length != topics.Length)
            {
                OnConnectionClosing(); // MqttMsgSubscribe.GetBytes throws on the inflight thread
                return;
            }

            _lastCommAt = _board.Time.NowMs;
            if (!_board.Network.Up() || _net is not { } net)
            {
                return; // no SUBACK: upstream raises nothing
            }

            var b = new Net.MqttClientSubscribeOptionsBuilder();
            for (int i = 0; i < topics.Length; i++)
            {
                b = b.WithTopicFilter(topics[i], (MQTTnet.Protocol.MqttQualityOfServiceLevel)qos[i]);
            }

            net.SubscribeAsync(b.Build()).ContinueWith(t =>
            {
                if (!t.IsCompletedSuccessfully || !_board.Network.Up())
                {
                    return;
                }

                var granted = t.Result.Items.Select(item => (MqttQoSLevel)(int)item.ResultCode).ToArray();
                lock (_lock)
                {
                    _events.Enqueue(() => MqttMsgSubscribed?.Invoke(this, new MqttMsgSubscribedEventArgs(id, granted)));
                }

                _signal.Set();
            }, TaskScheduler.Default);
        }

        private void SendUnsubscribe(ushort id, string[] topics)
        {
            _lastCommAt = _board.Time.NowMs;
            if (!_board.Network.Up() || _net is not { } net)
            {
                return;
            }

            var b = new Net.MqttClientUnsubscribeOptionsBuilder();
            foreach (string t in topics)
            {
                b = b.WithTopicFilter(t);
            }

            net.UnsubscribeAsync(b.Build()).ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully && _board.Network.Up())
                {
                    lock (_lock)
                    {
                        _events.Enqueue(() => MqttMsgUnsubscribed?.Invoke(this, new MqttMsgUnsubscribedEventArgs(id)));
                    }

                    _signal.Set();
                }
            }, TaskScheduler.Default);
        }

        // The receive thread: a PUBLISH from the broker (acknowledged by the client) becomes MqttMsgPublishReceived.
        private Task OnNetMessage(Net.MqttApplicationMessageReceivedEventArgs e)
        {
            if (!_board.Network.Up())
            {
                return Task.CompletedTask; // the link carries nothing during an outage
            }

            var m = e.ApplicationMessage;
            byte[] payload = System.Buffers.BuffersExtensions.ToArray(m.Payload);
            var args = new MqttMsgPublishEventArgs(m.Topic, payload, m.Dup, (MqttQoSLevel)(int)m.QualityOfServiceLevel, m.Retain);
            lock (_lock)
            {
                _events.Enqueue(() => MqttMsgPublishReceived?.Invoke(this, args));
            }

            _signal.Set();
            return Task.CompletedTask;
        }

        // upstream: MqttClient.OnConnectionClosing: IsConnected = false at once; the dispatch thread closes after the queued events.
        private void OnConnectionClosing()
        {
            lock (_lock)
            {
                if (_closing)
                {
                    return;
                }

                _closing = true;
                IsConnected = false;
            }

            _signal.Set();
        }

        // The client's own thread: inflight processing (sends, retries), keep-alive and event dispatch.
        private void Work()
        {
            using var scope = _board.Enter();
            while (true)
            {
                _signal.WaitOne(WorkerTickMs);
                if (_board.Halted != HaltReason.None || _board.Boots != _boot)
                {
                    StopClient(); // the chip is off: nothing more happens on it
                    return;
                }

                lock (_lock)
                {
                    if (!_running)
                    {
                        return;
                    }
                }

                if (!_closing)
                {
                    Retry();
                    KeepAlive();
                }

                while (true)
                {
                    Action? ev;
                    lock (_lock)
                    {
                        if (!_running || !_events.TryDequeue(out ev))
                        {
                            break;
                        }
                    }

                    try
                    {
                        ev();
                    }
                    catch (Exception)
                    {
                        OnConnectionClosing(); // upstream DispatchEventThread: any exception closes the connection
                    }
                }

                bool close;
                lock (_lock)
                {
                    close = _closing && _events.Count == 0;
                }

                if (close)
                {
                    // upstream DispatchEventThread: Close() then OnConnectionClosed() once the events are dispatched.
                    StopClient();
                    try
                    {
                        ConnectionClosed?.Invoke(this, EventArgs.Empty);
                    }
                    catch (Exception)
                    {
                        // nothing left to close
                    }

                    return;
                }
            }
        }

        // upstream: ProcessInflightThread WaitForPuback: no answer within DelayOnRetry → resend while
        // Attempt < AttemptsOnRetry, else MsgPublishedInternalEvent(false).
        private void Retry()
        {
            long now = _board.Time.NowMs;
            List<Pending> due;
            lock (_lock)
            {
                due = _inflight.Where(p => now - p.SentAt >= _settings.DelayOnRetry && (!p.Answerable || p.SentReal.ElapsedMilliseconds >= RealAckGraceMs)).ToList();
            }

            foreach (var p in due)
            {
                if (p.Attempt < _settings.AttemptsOnRetry)
                {
                    SendPublish(p);
                    continue;
                }

                lock (_lock)
                {
                    _inflight.Remove(p);
                    _events.Enqueue(() => MqttMsgPublished?.Invoke(this, new MqttMsgPublishedEventArgs(p.Id, false)));
                }
            }
        }

        // upstream: KeepAliveThread: PINGREQ after keep-alive without sending; no PINGRESP within the keep-alive period
        // → OnConnectionClosing. (MQTTnet keeps the real connection alive in real time on its own.)
        private void KeepAlive()
        {
            if (_keepAliveMs == 0)
            {
                return;
            }

            long now = _board.Time.NowMs;
            if (_pingSentAt < 0 && now - _lastCommAt >= _keepAliveMs)
            {
                _pingSentAt = now;
                _lastCommAt = now;
            }

            if (_pingSentAt >= 0)
            {
                if (_board.Network.Up())
                {
                    _pingSentAt = -1; // PINGRESP
                }
                else if (now - _pingSentAt >= _keepAliveMs)
                {
                    OnConnectionClosing();
                }
            }
        }

        private void StopClient()
        {
            Net.IMqttClient? net;
            lock (_lock)
            {
                _running = false;
                _inflight.Clear();
                _events.Clear();
                IsConnected = false;
                net = _net;
                _net = null;
                _channelOpen = false;
            }

            net?.Dispose();
            _signal.Set();
        }

        private sealed class Pending(ushort id, string topic, byte[] payload, string? contentType, ArrayList? userProperties, MqttQoSLevel qos, bool retain)
        {
            public ushort Id { get; } = id;

            public string Topic { get; } = topic;

            public byte[] Payload { get; } = payload;

            public string? ContentType { get; } = contentType;

            public ArrayList? UserProperties { get; } = userProperties;

            public MqttQoSLevel Qos { get; } = qos;

            public bool Retain { get; } = retain;

            public int Attempt { get; set; }

            public long SentAt { get; set; }

            public Stopwatch SentReal { get; } = new();

            /// <summary>A PUBACK for the latest attempt can still arrive (the link was up and the ack was not lost).</summary>
            public bool Answerable { get; set; }
        }
    }
}
