using DigitalTwin.Security;
using DigitalTwin.Silo;

namespace DigitalTwin.EndToEnd.Tests;

/// <summary>The silo's <c>token</c> command line: options, <c>--help</c>, bad values, and configuration arguments passed on.</summary>
public sealed class TokenCommandTests
{
    private const string Key = "token-command-test-signing-key-long-enough-for-hs256";

    [Fact]
    public void Help_lists_the_options_and_succeeds()
    {
        var (code, output, _) = Run("--help");

        Assert.Equal(0, code);
        Assert.Contains("--sub", output);
        Assert.Contains("--role", output);
        Assert.Contains("--hours", output);
    }

    [Theory]
    [InlineData("--hours", "-1")]
    [InlineData("--hours", "soon")]
    public void A_bad_value_is_refused_with_exit_code_2_and_names_the_option(string option, string value)
    {
        var (code, output, error) = Run("--sub", "alice", "--role", "user", option, value, $"--Auth:SigningKey={Key}");

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Contains(option, error);
    }

    [Theory]
    [InlineData("--role", "admin")]
    [InlineData("--role", "vehicle")]
    public void A_missing_subject_or_an_unknown_role_prints_the_usage(string option, string value)
    {
        var (code, _, error) = Run(option, value, $"--Auth:SigningKey={Key}");

        Assert.Equal(2, code);
        Assert.Contains(TokenCommand.Usage, error);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Configuration_arguments_reach_the_signing_key(bool joined)
    {
        var vin = Vins.Next();
        string[] key = joined ? [$"--Auth:SigningKey={Key}"] : ["--Auth:SigningKey", Key];

        var (code, output, error) = Run(["--sub", vin, "--role", "vehicle", "--hours", "1", .. key]);

        Assert.True(code == 0, error);
        Assert.Equal(VehicleTokenResult.Valid, await new VehicleTokenValidator(Key).ValidateAsync(output.Trim(), vin));
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = TokenCommand.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
