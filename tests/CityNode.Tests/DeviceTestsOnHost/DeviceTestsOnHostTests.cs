using System.Reflection;
using Xunit;

namespace CityNode.Tests.DeviceTestsOnHost;

/// <summary>Runs every [TestMethod] of tests/CityNode.DeviceTests on the host (static, as the nanoFramework launcher calls them).</summary>
public class DeviceTestsOnHostTests
{
    public static TheoryData<string> Methods()
    {
        var data = new TheoryData<string>();
        foreach (var m in TestMethods())
        {
            data.Add(m.DeclaringType!.Name + "." + m.Name);
        }

        return data;
    }

    private static IEnumerable<MethodInfo> TestMethods() =>
        typeof(DeviceTestsOnHostTests).Assembly.GetTypes()
            .Where(t => t.Namespace == "CityNode.DeviceTests" && t.GetCustomAttribute<nanoFramework.TestFramework.TestClassAttribute>() is not null)
            .SelectMany(t => t.GetMethods().Where(m => m.GetCustomAttribute<nanoFramework.TestFramework.TestMethodAttribute>() is not null));

    [Theory]
    [MemberData(nameof(Methods))]
    public void Device_test_passes_on_the_host(string name)
    {
        var method = TestMethods().Single(m => m.DeclaringType!.Name + "." + m.Name == name);
        var instance = Activator.CreateInstance(method.DeclaringType!);
        try
        {
            method.Invoke(instance, null);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }
}
