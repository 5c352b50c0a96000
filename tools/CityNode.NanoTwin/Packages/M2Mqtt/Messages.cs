namespace nanoFramework.M2Mqtt.Messages
{
    // upstream: nanoframework/nanoFramework.m2mqtt nanoFramework.M2Mqtt.Core/Messages/MqttQoSLevel.cs
    internal enum MqttQoSLevel
    {
        AtMostOnce = 0x00,
        AtLeastOnce = 0x01,
        ExactlyOnce = 0x02,
        GrantedFailure = 0x80,
    }

    // upstream: nanoframework/nanoFramework.m2mqtt nanoFramework.M2Mqtt.Core/Messages/MqttReasonCode.cs (v5 reason codes and
    // the v3.1.1 CONNACK return codes, several sharing a value). CONNACK's byte is cast as is
    // (M2Mqtt/Messages/MqttMsgConnack.cs Parse), so a v3.1.1 refusal reads as ConnectionRefused* (1..5).
    internal enum MqttReasonCode
    {
        Success = 0x00,
        NormalDisconnection = 0x00,
        GrantedQoS0 = 0x00,
        GrantedQoS1 = 0x01,
        GrantedQoS2 = 0x02,
        DisconnectWithWillMessage = 0x04,
        NoMatchingSubscribers = 0x10,
        NoSubscriptionExisted = 0x11,
        ContinueAuthentication = 0x18,
        ReAuthenticate = 0x19,
        UnspecifiedError = 0x80,
        MalformedPacket = 0x81,
        ProtocolError = 0x82,
        ImplementationSpecificError = 0x83,
        UnsupportedProtocolVersion = 0x84,
        ClientIdentifierNotValid = 0x85,
        BadUserNameOrPassword = 0x86,
        NotAuthorized = 0x87,
        ServerUnavailable = 0x88,
        ServerBusy = 0x89,
        Banned = 0x8A,
        ServeShuttingDown = 0x8B,
        BadAuthenticationMethod = 0x8C,
        KeepAliveTimeout = 0x8D,
        SessionTakenOver = 0x8E,
        TopicFilterInvalid = 0x8F,
        TopicNameInvalid = 0x90,
        PacketIdentifierInUse = 0x91,
        PacketIdentifierNotFound = 0x92,
        ReceiveMaximumExceeded = 0x93,
        TopicAliasInvalid = 0x94,
        PacketTooLarge = 0x95,
        MessageRateTooHigh = 0x96,
        QuotaExceeded = 0x97,
        AdministrativeAction = 0x98,
        PayloadFormatInvalid = 0x99,
        RetainNotSupported = 0x9A,
        QoSNotSupported = 0x9B,
        UseAnotherServer = 0x9C,
        ServerMoved = 0x9D,
        SharedSubscriptionsNotSupported = 0x9E,
        ConnectionRateExceeded = 0x9F,
        MaximumConnectTime = 0xA0,
        SubscriptionIdentifiersNotSupported = 0xA1,
        WildcardSubscriptionsNotSupported = 0xA2,
        ConnectionRefusedUnacceptableProtocolVersion = 0x01,
        ConnectionRefusedIdentifierRejected = 0x02,
        ConnectionRefusedServerUnavailable = 0x03,
        ConnectionRefusedBadUserNameOrPassword = 0x04,
        ConnectionRefusedNotAuthorized = 0x05,
    }

    // upstream: nanoframework/nanoFramework.m2mqtt nanoFramework.M2Mqtt.Core/Messages/MqttMsgPublishEventArgs.cs
    internal class MqttMsgPublishEventArgs : EventArgs
    {
        public MqttMsgPublishEventArgs(string topic, byte[] message, bool dupFlag, MqttQoSLevel qosLevel, bool retain)
        {
            Topic = topic;
            Message = message;
            DupFlag = dupFlag;
            QosLevel = qosLevel;
            Retain = retain;
        }

        public string Topic { get; internal set; }

        public byte[] Message { get; internal set; }

        public bool DupFlag { get; internal set; }

        public MqttQoSLevel QosLevel { get; internal set; }

        public bool Retain { get; internal set; }
    }

    // upstream: nanoframework/nanoFramework.m2mqtt nanoFramework.M2Mqtt.Core/Messages/MqttMsgPublishedEventArgs.cs
    internal class MqttMsgPublishedEventArgs : EventArgs
    {
        public MqttMsgPublishedEventArgs(ushort messageId)
            : this(messageId, true)
        {
        }

        public MqttMsgPublishedEventArgs(ushort messageId, bool isPublished)
        {
            MessageId = messageId;
            IsPublished = isPublished;
        }

        public ushort MessageId { get; set; }

        public bool IsPublished { get; set; }
    }

    // upstream: nanoframework/nanoFramework.m2mqtt nanoFramework.M2Mqtt.Core/Messages/MqttMsgSubscribedEventArgs.cs
    // (GrantedQoSLevels holds SUBACK's raw bytes: 0x80, or a v5 reason code such as 0x87, for a refused filter).
    internal class MqttMsgSubscribedEventArgs : EventArgs
    {
        public MqttMsgSubscribedEventArgs(ushort messageId, MqttQoSLevel[] grantedQosLevels)
        {
            MessageId = messageId;
            GrantedQoSLevels = grantedQosLevels;
        }

        public ushort MessageId { get; internal set; }

        public MqttQoSLevel[] GrantedQoSLevels { get; internal set; }
    }

    // upstream: nanoframework/nanoFramework.m2mqtt nanoFramework.M2Mqtt.Core/Messages/MqttMsgUnsubscribedEventArgs.cs
    internal class MqttMsgUnsubscribedEventArgs : EventArgs
    {
        public MqttMsgUnsubscribedEventArgs(ushort messageId) => MessageId = messageId;

        public ushort MessageId { get; }
    }

    // upstream: nanoframework/nanoFramework.m2mqtt nanoFramework.M2Mqtt.Core/UserProperty.cs
    internal class UserProperty
    {
        public UserProperty(string name, string value)
        {
            Name = name;
            Value = value;
        }

        public string Name { get; set; }

        public string Value { get; set; }
    }
}

namespace nanoFramework.M2Mqtt.Exceptions
{
    // upstream: nanoframework/nanoFramework.m2mqtt M2Mqtt/Exceptions/MqttClientException.cs
    internal class MqttClientException : Exception
    {
        public MqttClientException(MqttClientErrorCode errorCode) => ErrorCode = errorCode;

        public MqttClientErrorCode ErrorCode { get; set; }
    }

    // upstream: same file.
    internal enum MqttClientErrorCode
    {
        WillWrong = 1,
        KeepAliveWrong,
        TopicWildcard,
        TopicLength,
        QosNotAllowed,
        TopicsEmpty,
        QosLevelsEmpty,
        TopicsQosLevelsNotMatch,
        WrongBrokerMessage,
        WrongMessageId,
        InflightQueueFull,
        InvalidFlagBits,
        InvalidConnectFlags,
        InvalidClientId,
        InvalidProtocolName,
    }

    // upstream: nanoframework/nanoFramework.m2mqtt M2Mqtt/Exceptions/MqttCommunicationException.cs
    internal class MqttCommunicationException : Exception
    {
        public MqttCommunicationException()
        {
        }

        public MqttCommunicationException(Exception e)
            : base(string.Empty, e)
        {
        }
    }

    // upstream: nanoframework/nanoFramework.m2mqtt M2Mqtt/Exceptions/MqttConnectionException.cs
    internal class MqttConnectionException : Exception
    {
        public MqttConnectionException(string message, Exception innerException)
            : base(message, innerException)
        {
        }
    }
}
