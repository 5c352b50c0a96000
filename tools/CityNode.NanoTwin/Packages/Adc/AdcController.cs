using CityNode.NanoTwin;

namespace System.Device.Adc;

// upstream: nanoframework/System.Device.Adc System.Device.Adc/AdcChannelMode.cs; native: NativeIsChannelModeSupported (SingleEnded only).
internal enum AdcChannelMode
{
    SingleEnded = 0,
    Differential,
}

/// <summary>
/// The ESP32's ADCs as nanoFramework exposes them: one logical controller of 20 channels, 0–7 ADC1,
/// 8 the internal temperature sensor, 9 the removed Hall sensor, 10–19 ADC2 channels 0–9; 12 bits;
/// attenuation fixed at 12 dB; raw counts, no eFuse calibration applied.
/// </summary>
// upstream: nanoframework/System.Device.Adc System.Device.Adc/AdcController.cs; native: nf-interpreter
// targets/ESP32/_nanoCLR/System.Device.Adc/sys_dev_adc_native_System_Device_Adc_AdcController.cpp (CONFIG_IDF_TARGET_ESP32 branch, legacy driver)
internal class AdcController
{
    private readonly TwinBoard _board;

    // upstream: AdcController.cs ctor → NativeInit (nothing to do on the ESP32).
    public AdcController()
    {
        _board = TwinBoard.Current;
        _board.EnsureRunning();
    }

    // native: NativeGetChannelCount___I4 → 20.
    public int ChannelCount => 20;

    // native: NativeGetMaxValue___I4 → 4095; NativeGetMinValue___I4 → 0; NativeGetResolutionInBits___I4 → 12.
    public int MaxValue => 4095;

    public int MinValue => 0;

    public int ResolutionInBits => 12;

    // upstream: AdcController.cs ChannelMode: a field, set without any check.
    public AdcChannelMode ChannelMode { get; set; } = AdcChannelMode.SingleEnded;

    // native: NativeIsChannelModeSupported___BOOLEAN__I4.
    public bool IsChannelModeSupported(AdcChannelMode channelMode) => channelMode == AdcChannelMode.SingleEnded;

    // upstream: AdcController.cs OpenChannel → NativeOpenChannel; native: NativeOpenChannel___VOID__I4: channel outside 0..20
    // → CLR_E_INVALID_PARAMETER (ArgumentException); ADC1 0–7 get adc1_config_channel_atten(ADC_ATTEN_DB_12), 8 and 9 nothing;
    // ADC2 adc2_config_channel_atten fails while Wi-Fi holds the ADC2 lock (ESP_ERR_TIMEOUT) or for channel 20 (invalid) →
    // CLR_E_PIN_UNAVAILABLE (a plain System.Exception).
    public AdcChannel OpenChannel(int channelNumber)
    {
        _board.EnsureRunning();
        if (channelNumber < 0 || channelNumber > 20)
        {
            throw new ArgumentException("ADC channel " + channelNumber + " (ESP32: 0..19)");
        }

        if (channelNumber >= AdcTwin.Adc1Channels && (channelNumber == 20 || AdcTwin.Adc2Locked(_board)))
        {
            throw new Exception("CLR_E_PIN_UNAVAILABLE: adc2_config_channel_atten failed for channel " + channelNumber);
        }

        return new AdcChannel(this, channelNumber, _board);
    }
}

/// <summary>One opened channel: ReadValue converts now (raw counts), ReadRatio = value / MaxValue.</summary>
// upstream: nanoframework/System.Device.Adc System.Device.Adc/AdcChannel.cs and AdcChannelBase.cs; native:
// targets/ESP32/_nanoCLR/System.Device.Adc/sys_dev_adc_native_System_Device_Adc_AdcChannel.cpp (CONFIG_IDF_TARGET_ESP32 branch)
internal class AdcChannel : IDisposable
{
    private readonly int _channelNumber;
    private readonly TwinBoard _board;
    private AdcController? _controller;
    private bool _disposed;

    internal AdcChannel(AdcController controller, int channelNumber, TwinBoard board)
    {
        _controller = controller;
        _channelNumber = channelNumber;
        _board = board;
    }

    // upstream: AdcChannelBase.cs Controller (null once disposed).
    public AdcController Controller => _controller!;

    // upstream: AdcChannel.cs ReadValue: ObjectDisposedException once disposed, else NativeReadValue; native:
    // NativeReadValue___I4: 8 → temprature_sens_read(), 9 → CLR_E_INVALID_PARAMETER (Hall sensor gone in IDF 5),
    // 0–7 → adc1_get_raw, 10–19 → adc2_get_raw, which fails with ESP_ERR_TIMEOUT while Wi-Fi runs → CLR_E_PIN_UNAVAILABLE.
    public int ReadValue()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _board.EnsureRunning();
        if (_channelNumber == 9)
        {
            throw new ArgumentException("ADC channel 9 (Hall sensor) is not available with ESP-IDF 5");
        }

        if (_channelNumber >= AdcTwin.Adc1Channels && AdcTwin.Adc2Locked(_board))
        {
            throw new Exception("CLR_E_PIN_UNAVAILABLE: adc2_get_raw: ADC2 is in use by Wi-Fi");
        }

        return AdcTwin.Convert(_board, _channelNumber);
    }

    // upstream: AdcChannelBase.cs ReadRatio = ReadValue() / (double)Controller.MaxValue.
    public double ReadRatio() => ReadValue() / (double)Controller.MaxValue;

    // upstream: AdcChannel.cs Dispose → NativeDisposeChannel (empty on the ESP32).
    public void Dispose()
    {
        _controller = null;
        _disposed = true;
    }
}
