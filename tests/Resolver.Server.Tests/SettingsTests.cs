using Resolver.Server.Configuration;
using Resolver.Testing;

namespace Resolver.Server.Tests;

/// <summary>One source for the settings: the options classes' defaults, --help and the README table agree.</summary>
public sealed class SettingsTests
{
    [Fact]
    public void ReadmeSettingsTable_IsTheTableTheSettingsDescribe()
    {
        var expected = ServerSettings.MarkdownTable();

        Assert.True(Repository.Read("README.md").Contains(expected, StringComparison.Ordinal), $"README.md's settings table is out of date; it should read:\n{expected}");
    }

    [Fact]
    public void Help_ShowsEachSettingWithItsVariableAndTheOptionsDefault()
    {
        using var output = new StringWriter();

        ServerSettings.WriteHelp(output);

        var help = output.ToString();
        Assert.All(ServerSettings.All, setting =>
        {
            Assert.Contains(setting.Flag, help, StringComparison.Ordinal);
            Assert.Contains(setting.EnvironmentVariable, help, StringComparison.Ordinal);
        });
        Assert.Contains($"default: {new LimitOptions().MaxBatchSize}", help, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--rate-limit", "off", "--rate-limit", "7" }, "Resolver:RateLimit", "7")]
    [InlineData(new[] { "--case-sensitive-suffix" }, "Resolver:CaseSensitiveSuffix", "true")]
    [InlineData(new[] { "--case-sensitive-suffix", "false" }, "Resolver:CaseSensitiveSuffix", "false")]
    [InlineData(new[] { "--store=sqlite:/tmp/x.db" }, "Resolver:Store", "sqlite:/tmp/x.db")]
    public void FromArguments_FlagForms_BecomeTheConfigurationKeys(string[] args, string key, string value) =>
        Assert.Equal(value, ServerSettings.FromArguments(args)[key]);

    [Fact]
    public void FromArguments_ValueStartingWithAt_IsAValueNotAResponseFile() =>
        Assert.Equal("@secret-admin-token-1234", ServerSettings.FromArguments(["--admin-token", "@secret-admin-token-1234", "--data-dir", "x"])["Resolver:AdminToken"]);

    [Theory]
    [InlineData(new[] { "-?" }, true)]
    [InlineData(new[] { "/h" }, true)]
    [InlineData(new[] { "--data-dir", "x", "--help" }, true)]
    [InlineData(new[] { "--data-dir", "-h" }, false)] // a directory named -h
    [InlineData(new[] { "--data-dir", "x" }, false)]
    public void AsksForHelp_UsualSpellings_OnlyWhenNotAValue(string[] args, bool expected) =>
        Assert.Equal(expected, ServerSettings.AsksForHelp(args));

    [Fact]
    public void FromEnvironment_Variable_BecomesTheConfigurationKey() =>
        Assert.Equal("250", ServerSettings.FromEnvironment(new Dictionary<string, string> { ["RESOLVER_MAX_BATCH_SIZE"] = "250" })["Resolver:MaxBatchSize"]);
}
