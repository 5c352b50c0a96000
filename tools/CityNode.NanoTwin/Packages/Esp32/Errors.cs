namespace nanoFramework.Hardware.Esp32;

/// <summary>esp_err_t values the native calls hand back as they are.</summary>
// upstream: nanoframework/nanoFramework.Hardware.Esp32 nanoFramework.Hardware.Esp32/Errors.cs; native: ESP-IDF esp_err.h
// (ESP_ERR_SLEEP_TOO_SHORT_SLEEP_DURATION = ESP_ERR_INVALID_ARG, ESP_ERR_SLEEP_REJECT = ESP_ERR_INVALID_STATE: esp_sleep.h).
internal enum EspNativeError
{
    OK = 0,
    FAIL = -1,
    NO_MEM = 0x101,
    INVALID_ARG = 0x102,
    INVALID_STATE = 0x103,
    INVALID_SIZE = 0x104,
    NOT_FOUND = 0x105,
    NOT_SUPPORTED = 0x106,
    TIMEOUT = 0x107,
    INVALID_RESPONSE = 0x108,
    INVALID_CRC = 0x109,
    INVALID_VERSION = 0x10A,
    INVALID_MAC = 0x10B,
    WIFI_BASE = 0x3000,
}
