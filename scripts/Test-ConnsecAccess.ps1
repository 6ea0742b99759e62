#Requires -Version 5.1
<#
.SYNOPSIS
    Verifies that the DACL connsec applied has the intended effect, against a baseline captured
    before connsec was installed: runs `connsecctl status` and `connsecctl probe` as the current
    administrator, as a standard local test user and (optionally) as a test user in Network
    Configuration Operators.

.DESCRIPTION
    Under the filter engine's default security (Microsoft's WFP "Access control" page), standard
    users may already be denied enumerating and subscribing to connection objects, so "the user is
    denied" proves nothing by itself. This script therefore works in two runs:

    -SaveBaseline, BEFORE the first Install-Connsec.ps1 (connsec not running): probes as each
    principal and saves the results and the live descriptor in
    %ProgramData%\connsec-kit\access-baseline.json.

    Without -SaveBaseline, AFTER the install:
    1. Finds connsecctl.exe and copies it to %ProgramData%\connsec-kit\bin, which standard users
       can read and execute (a build folder under a user profile usually is not).
    2. Administrator (this elevated session): `connsecctl status --json` must exit 0 (the live
       DACL matches the configured policy; 1 = differs, 2 = error), and `connsecctl probe --json`
       reports allowed/denied for enumerating and subscribing to WFP connection objects.
    3. Standard user: uses -TestUserCredential, or creates (or resets the password of) the local
       user -TestUserName with a random password, checks it is not an administrator, and runs
       the same two commands with Start-Process -Credential (works on PowerShell 5.1 and 7;
       needs an interactive elevated session, not SYSTEM). Output is captured to files.
       With -ExpectNcoUser Allowed or Denied, the same for the local user -NcoUserName, made a
       member of Network Configuration Operators (S-1-5-32-556), whom the engine's default
       security grants read access.
    4. Compares each probe result with its expectation and with the baseline, and prints a
       table. The run proves the DACL's effect only if at least one probe result both matches
       its expectation and differs from the baseline: a principal whose access connsec granted
       or took away. The decisive experiments are in docs/walkthrough.md, step 8.

    Every change (copying the tool, creating/resetting/removing users, writing the baseline)
    supports -WhatIf.
    Exit code: 0 = every result is as expected and at least one differs from the baseline (the
    DACL has the intended, observable effect); 1 = a result differs from its expectation, or no
    result changed compared with the baseline (nothing shows connsec's effect); 2 = the check
    could not run (no baseline, tool missing, logon failed, unreadable output).

.PARAMETER ConnsecCtl
    Path to connsecctl.exe (default: next to the scripts, target\release, PATH).

.PARAMETER TestUserName
    Local standard user to create or reuse (default connsec-test).

.PARAMETER TestUserCredential
    Use this existing account instead of creating one (its password is not changed).

.PARAMETER NcoUserName
    Local user to create or reuse as a member of Network Configuration Operators (default
    connsec-nco). Used when -ExpectNcoUser is Allowed or Denied, and by -SaveBaseline.

.PARAMETER ExpectAdmin
    Expected probe result for the administrator: Allowed (default) or Denied.

.PARAMETER ExpectUser
    Expected probe result for the standard user: Denied (default) or Allowed.

.PARAMETER ExpectNcoUser
    Expected probe result for the Network Configuration Operators user: Skip (default: not
    run), Allowed or Denied.

.PARAMETER SaveBaseline
    Probe as every principal and save the results as the baseline (refused while connsec runs).
    Run it once, before the first install.

.PARAMETER RemoveTestUser
    Delete the created test users at the end.

.EXAMPLE
    .\Test-ConnsecAccess.ps1 -SaveBaseline

.EXAMPLE
    .\Test-ConnsecAccess.ps1 -ExpectUser Allowed

.EXAMPLE
    .\Test-ConnsecAccess.ps1 -ExpectNcoUser Denied -RemoveTestUser
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [string]$ConnsecCtl,
    [ValidatePattern('^[A-Za-z0-9_.-]{1,20}$')][string]$TestUserName = 'connsec-test',
    [System.Management.Automation.PSCredential]$TestUserCredential,
    [ValidatePattern('^[A-Za-z0-9_.-]{1,20}$')][string]$NcoUserName = 'connsec-nco',
    [ValidateSet('Allowed', 'Denied')][string]$ExpectAdmin = 'Allowed',
    [ValidateSet('Allowed', 'Denied')][string]$ExpectUser = 'Denied',
    [ValidateSet('Skip', 'Allowed', 'Denied')][string]$ExpectNcoUser = 'Skip',
    [switch]$SaveBaseline,
    [switch]$RemoveTestUser
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'ConnsecCommon.ps1')

$BaselineFile = Join-Path $script:ConnsecStateDir 'access-baseline.json'
$NcoSid = 'S-1-5-32-556'

$Operations = @('enumerate', 'subscribe')

function New-RandomPassword {
    # 24 characters from a CSPRNG plus one of each class, for any local password policy.
    $alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'
    $bytes = New-Object byte[] 24
    $rng = [System.Security.Cryptography.RandomNumberGenerator]::Create()
    try { $rng.GetBytes($bytes) } finally { $rng.Dispose() }
    $chars = foreach ($b in $bytes) { $alphabet[$b % $alphabet.Length] }
    return (-join $chars) + 'aZ7!'
}

function Get-LocalGroupName {
    param([Parameter(Mandatory = $true)][string]$Sid)
    # Group names are localized; the SID is not.
    $account = (New-Object System.Security.Principal.SecurityIdentifier($Sid)).Translate([System.Security.Principal.NTAccount]).Value
    return $account.Split('\')[-1]
}

function Test-LocalGroupMember {
    param([Parameter(Mandatory = $true)][string]$GroupSid, [Parameter(Mandatory = $true)][string]$UserName)
    $group = [ADSI]"WinNT://$env:COMPUTERNAME/$(Get-LocalGroupName -Sid $GroupSid),group"
    return [bool]$group.PSBase.Invoke('IsMember', "WinNT://$env:COMPUTERNAME/$UserName")
}

function Get-TestUserCredential {
    param([Parameter(Mandatory = $true)][string]$Name, [string]$ExtraGroupSid)
    $path = "WinNT://$env:COMPUTERNAME/$Name,user"
    $password = New-RandomPassword
    if ([ADSI]::Exists($path)) {
        if (-not $PSCmdlet.ShouldProcess("local user $Name", 'Reset the password to a new random one')) { return $null }
        $user = [ADSI]$path
        $user.SetPassword($password)
        $user.SetInfo()
        Write-Host "Reset the password of the existing local user $Name."
    } else {
        if (-not $PSCmdlet.ShouldProcess("local user $Name", 'Create a standard user with a random password')) { return $null }
        $computer = [ADSI]"WinNT://$env:COMPUTERNAME,computer"
        $user = $computer.Create('User', $Name)
        $user.SetPassword($password)
        $user.SetInfo()
        $user.Put('Description', 'connsec test-VM kit: standard user for Test-ConnsecAccess.ps1')
        $user.SetInfo()
        Write-Host "Created the local user $Name."
    }
    # BUILTIN\Users (S-1-5-32-545) grants "log on locally", which Start-Process -Credential needs.
    if (-not (Test-LocalGroupMember -GroupSid 'S-1-5-32-545' -UserName $Name)) {
        $users = [ADSI]"WinNT://$env:COMPUTERNAME/$(Get-LocalGroupName -Sid 'S-1-5-32-545'),group"
        $users.Add("WinNT://$env:COMPUTERNAME/$Name")
    }
    if ($ExtraGroupSid -and -not (Test-LocalGroupMember -GroupSid $ExtraGroupSid -UserName $Name)) {
        $extra = [ADSI]"WinNT://$env:COMPUTERNAME/$(Get-LocalGroupName -Sid $ExtraGroupSid),group"
        $extra.Add("WinNT://$env:COMPUTERNAME/$Name")
        Write-Host "Added $Name to $(Get-LocalGroupName -Sid $ExtraGroupSid)."
    }
    $secure = ConvertTo-SecureString -String $password -AsPlainText -Force
    return New-Object System.Management.Automation.PSCredential("$env:COMPUTERNAME\$Name", $secure)
}

function Invoke-AsAdmin {
    param([Parameter(Mandatory = $true)][string]$Exe, [Parameter(Mandatory = $true)][string[]]$Arguments)
    $r = Invoke-ConnsecNative -FilePath $Exe -ArgumentList $Arguments -AllowedExitCodes @(0, 1, 2) -PassThruExitCode
    return [pscustomobject]@{ ExitCode = $r.ExitCode; Stdout = ($r.Output -join "`n"); Stderr = '' }
}

function Invoke-AsUser {
    param(
        [Parameter(Mandatory = $true)][string]$Exe,
        [Parameter(Mandatory = $true)][string[]]$Arguments,
        [Parameter(Mandatory = $true)][System.Management.Automation.PSCredential]$Credential,
        [Parameter(Mandatory = $true)][string]$OutDir,
        [Parameter(Mandatory = $true)][string]$Tag
    )
    $stdout = Join-Path $OutDir "$Tag.stdout.txt"
    $stderr = Join-Path $OutDir "$Tag.stderr.txt"
    try {
        $p = Start-Process -FilePath $Exe -ArgumentList $Arguments -Credential $Credential `
            -WorkingDirectory (Split-Path -Parent $Exe) -LoadUserProfile -WindowStyle Hidden `
            -RedirectStandardOutput $stdout -RedirectStandardError $stderr -PassThru -Wait
    } catch {
        throw "Cannot start '$Exe' as $($Credential.UserName): $($_.Exception.Message). (Start-Process -Credential needs an interactive elevated session, not SYSTEM, and the user needs 'log on locally'.)"
    }
    $code = $p.ExitCode
    if ($null -eq $code) { $code = -1 }
    $out = if (Test-Path -LiteralPath $stdout) { Get-Content -LiteralPath $stdout -Raw } else { '' }
    $err = if (Test-Path -LiteralPath $stderr) { Get-Content -LiteralPath $stderr -Raw } else { '' }
    if ($null -eq $out) { $out = '' }
    if ($null -eq $err) { $err = '' }
    return [pscustomobject]@{ ExitCode = [int]$code; Stdout = $out; Stderr = $err }
}

function Get-ProbeVerdict {
    <#
    .SYNOPSIS
        One operation's result from `connsecctl probe --json`, as
        @{ Verdict = 'Allowed' | 'Denied' | 'Error'; Detail = <connsecctl's detail> }.
    .DESCRIPTION
        connsecctl writes {"all_allowed": bool, "results": [{"operation": "enumerate" |
        "subscribe", "allowed": bool, "detail": "..."}]} (crates/connsecctl/src/windows.rs).
        "allowed": false is a denial only when the detail is an access-denied status
        ("access denied", or ERROR_ACCESS_DENIED as 0x00000005 / 0x80070005); any other failure
        is an error, not evidence about the DACL.
    #>
    param([Parameter(Mandatory = $true)]$Json, [Parameter(Mandatory = $true)][string]$Operation)
    $resultsProp = $Json.PSObject.Properties['results']
    if ($null -eq $resultsProp) { return @{ Verdict = 'Error'; Detail = 'no "results" in the probe output' } }
    foreach ($entry in @($resultsProp.Value)) {
        $op = $entry.PSObject.Properties['operation']
        if ($null -eq $op -or "$($op.Value)" -ne $Operation) { continue }
        $allowed = $entry.PSObject.Properties['allowed']
        $detailProp = $entry.PSObject.Properties['detail']
        $detail = if ($null -ne $detailProp) { "$($detailProp.Value)" } else { '' }
        if ($null -eq $allowed -or $allowed.Value -isnot [bool]) { return @{ Verdict = 'Error'; Detail = "no boolean 'allowed' for $Operation" } }
        if ($allowed.Value) { return @{ Verdict = 'Allowed'; Detail = $detail } }
        if ($detail -match 'access denied|0x0*5$|0x80070005') { return @{ Verdict = 'Denied'; Detail = $detail } }
        return @{ Verdict = 'Error'; Detail = $detail }
    }
    return @{ Verdict = 'Error'; Detail = "no result for '$Operation' in the probe output" }
}

function Get-ProbeVerdicts {
    <# .SYNOPSIS One verdict per operation from a probe run: @{ enumerate = @{...}; subscribe = @{...} }. #>
    param([Parameter(Mandatory = $true)]$Probe)
    $json = $null
    $parseError = "connsecctl probe exited $($Probe.ExitCode) without JSON: $($Probe.Stderr.Trim())"
    if ($Probe.ExitCode -ne 2) {
        try { $json = $Probe.Stdout | ConvertFrom-Json } catch { $parseError = "unreadable probe output: $($_.Exception.Message)" }
    }
    $out = @{}
    foreach ($op in $Operations) {
        $out[$op] = if ($null -eq $json) { @{ Verdict = 'Error'; Detail = $parseError } } else { Get-ProbeVerdict -Json $json -Operation $op }
    }
    return $out
}

function Get-UserProbe {
    <# .SYNOPSIS Runs `connsecctl probe --json` (and `status`, informational) as a local user. #>
    param(
        [Parameter(Mandatory = $true)][string]$Tool,
        [Parameter(Mandatory = $true)][System.Management.Automation.PSCredential]$Credential,
        [Parameter(Mandatory = $true)][string]$OutDir,
        [Parameter(Mandatory = $true)][string]$Tag
    )
    $plainName = $Credential.UserName.Split('\')[-1]
    if (Test-LocalGroupMember -GroupSid 'S-1-5-32-544' -UserName $plainName) {
        throw "$($Credential.UserName) is a member of Administrators: use a standard user."
    }
    Write-Host "Running as $($Credential.UserName) (output in $OutDir)"
    $userStatus = Invoke-AsUser -Exe $Tool -Arguments @('status', '--json') -Credential $Credential -OutDir $OutDir -Tag "$Tag-status"
    Write-Host "connsecctl status --json -> exit $($userStatus.ExitCode) (informational: a denied user may not read the descriptor)"
    Write-Host $userStatus.Stdout
    if ($userStatus.Stderr.Trim()) { Write-Host $userStatus.Stderr }
    $userProbe = Invoke-AsUser -Exe $Tool -Arguments @('probe', '--json') -Credential $Credential -OutDir $OutDir -Tag "$Tag-probe"
    Write-Host "connsecctl probe --json -> exit $($userProbe.ExitCode)"
    Write-Host $userProbe.Stdout
    if ($userProbe.Stderr.Trim()) { Write-Host $userProbe.Stderr }
    return $userProbe
}

$rows = New-Object System.Collections.Generic.List[object]
$status = 0
$created = New-Object System.Collections.Generic.List[string]
try {
    Assert-ConnsecAdministrator
    $svc = Get-ConnsecDriverService
    $running = ($null -ne $svc -and $svc.State -eq 'Running')
    if ($SaveBaseline -and $running) {
        throw 'connsec is running: the live descriptor is the one it set. Capture the baseline before the first Install-Connsec.ps1 (or after Uninstall-Connsec.ps1 has restored the original).'
    }
    if (-not $SaveBaseline -and -not $running) {
        Write-Warning "connsec is not running (state: $(if ($null -eq $svc) { 'not installed' } else { $svc.State })): the results show the descriptor without the driver's DACL."
    }

    $baseline = $null
    if (-not $SaveBaseline) {
        if (-not (Test-Path -LiteralPath $BaselineFile)) {
            throw "No baseline ($BaselineFile). Without it a Denied result cannot be told from the engine's default security. Run .\Test-ConnsecAccess.ps1 -SaveBaseline before installing connsec (after Uninstall-Connsec.ps1 if it is installed)."
        }
        $baseline = Get-Content -LiteralPath $BaselineFile -Raw | ConvertFrom-Json
        Write-Host "Baseline from $($baseline.captured): descriptor $($baseline.descriptor)"
    }

    Write-ConnsecStep 'connsecctl'
    $source = Find-ConnsecCtl -Path $ConnsecCtl
    $bin = Join-Path $script:ConnsecStateDir 'bin'
    $tool = Join-Path $bin 'connsecctl.exe'
    if ($PSCmdlet.ShouldProcess($tool, "Copy $source")) {
        if (-not (Test-Path -LiteralPath $bin)) { [void](New-Item -ItemType Directory -Path $bin -Force) }
        Copy-Item -LiteralPath $source -Destination $tool -Force
    } else {
        $tool = $source
    }
    Write-Host "Using $tool"
    $outDir = Join-Path $script:ConnsecStateDir ('verify-{0:yyyyMMdd-HHmmss}' -f (Get-Date))
    if (-not $WhatIfPreference) { [void](New-Item -ItemType Directory -Path $outDir -Force) }
    $liveSddl = Get-ConnsecConnectionSddlOrReason
    Write-Host "Live connection-object descriptor: $liveSddl"

    Write-ConnsecStep "As the administrator ($([Security.Principal.WindowsIdentity]::GetCurrent().Name))"
    if (-not $SaveBaseline) {
        $adminStatus = Invoke-AsAdmin -Exe $tool -Arguments @('status', '--json')
        Write-Host "connsecctl status --json -> exit $($adminStatus.ExitCode)"
        Write-Host $adminStatus.Stdout
        $statusVerdict = 'ERROR'
        if ($adminStatus.ExitCode -eq 0) { $statusVerdict = 'match' } elseif ($adminStatus.ExitCode -eq 1) { $statusVerdict = 'DIFFERS' }
        $statusDetail = ''
        if ($adminStatus.ExitCode -ne 2) {
            try {
                $sj = $adminStatus.Stdout | ConvertFrom-Json
                $statusDetail = "live $($sj.live_sddl) / planned $($sj.planned_sddl)"
            } catch {
                $statusDetail = 'unreadable status output'
            }
        }
        $rows.Add([pscustomobject]@{ Who = 'administrator'; Check = 'status'; Expected = 'match'; Baseline = '-'; Observed = $statusVerdict; Ok = ($adminStatus.ExitCode -eq 0); Changed = '-'; Detail = $statusDetail })
        if ($adminStatus.ExitCode -eq 1) { $status = [Math]::Max($status, 1) } elseif ($adminStatus.ExitCode -ne 0) { $status = 2 }
    }
    $adminProbe = Invoke-AsAdmin -Exe $tool -Arguments @('probe', '--json')
    Write-Host "connsecctl probe --json -> exit $($adminProbe.ExitCode)"
    Write-Host $adminProbe.Stdout
    # Principals: a key for the baseline, the probe, the expectation.
    $principals = @(@{ Key = 'administrator'; Who = 'administrator'; Probe = $adminProbe; Expect = $ExpectAdmin })

    Write-ConnsecStep 'As a standard user'
    $credential = $TestUserCredential
    if ($null -eq $credential) {
        $existed = [ADSI]::Exists("WinNT://$env:COMPUTERNAME/$TestUserName,user")
        $credential = Get-TestUserCredential -Name $TestUserName
        if ((-not $existed) -and ($null -ne $credential)) { $created.Add($TestUserName) }
    }
    if ($null -eq $credential -or $WhatIfPreference) {
        Write-Host '(-WhatIf) the standard-user run is skipped.'
    } else {
        $probe = Get-UserProbe -Tool $tool -Credential $credential -OutDir $outDir -Tag 'user'
        $principals += @{ Key = 'user'; Who = $credential.UserName; Probe = $probe; Expect = $ExpectUser }
    }

    if ($SaveBaseline -or $ExpectNcoUser -ne 'Skip') {
        Write-ConnsecStep 'As a member of Network Configuration Operators'
        $existed = [ADSI]::Exists("WinNT://$env:COMPUTERNAME/$NcoUserName,user")
        $ncoCredential = Get-TestUserCredential -Name $NcoUserName -ExtraGroupSid $NcoSid
        if ((-not $existed) -and ($null -ne $ncoCredential)) { $created.Add($NcoUserName) }
        if ($null -eq $ncoCredential -or $WhatIfPreference) {
            Write-Host '(-WhatIf) the Network Configuration Operators run is skipped.'
        } else {
            $probe = Get-UserProbe -Tool $tool -Credential $ncoCredential -OutDir $outDir -Tag 'nco'
            $principals += @{ Key = 'nco'; Who = $ncoCredential.UserName; Probe = $probe; Expect = $ExpectNcoUser }
        }
    }

    if ($SaveBaseline) {
        $results = @()
        foreach ($p in $principals) {
            $verdicts = Get-ProbeVerdicts -Probe $p.Probe
            foreach ($op in $Operations) {
                if ($verdicts[$op].Verdict -eq 'Error') { throw "$($p.Who) $op could not be probed: $($verdicts[$op].Detail)" }
                $results += [pscustomobject]@{ principal = $p.Key; who = $p.Who; operation = $op; verdict = $verdicts[$op].Verdict }
            }
        }
        $record = [pscustomobject]@{ captured = (Get-Date).ToString('s'); descriptor = $liveSddl; results = $results }
        Write-ConnsecStep 'Baseline'
        $results | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
        if ($PSCmdlet.ShouldProcess($BaselineFile, 'Save the access baseline')) {
            [void](Get-ConnsecStateDir)
            $record | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath $BaselineFile -Encoding UTF8
            Write-Host "Saved $BaselineFile. Install connsec, then run .\Test-ConnsecAccess.ps1 with the expectations of docs/walkthrough.md, step 8."
        }
    } else {
        $changed = 0
        foreach ($p in $principals) {
            $verdicts = Get-ProbeVerdicts -Probe $p.Probe
            foreach ($op in $Operations) {
                $v = $verdicts[$op]
                $before = @($baseline.results | Where-Object { $_.principal -eq $p.Key -and $_.operation -eq $op })
                $was = if ($before.Count -eq 1) { "$($before[0].verdict)" } else { 'none' }
                $ok = ($v.Verdict -eq $p.Expect)
                $isChange = ($was -ne 'none' -and $v.Verdict -ne 'Error' -and $v.Verdict -ne $was)
                if ($ok -and $isChange) { $changed++ }
                $rows.Add([pscustomobject]@{ Who = $p.Who; Check = "probe $op"; Expected = $p.Expect; Baseline = $was; Observed = $v.Verdict; Ok = $ok; Changed = $isChange; Detail = $v.Detail })
                if ($v.Verdict -eq 'Error') { $status = 2 } elseif (-not $ok) { $status = [Math]::Max($status, 1) }
            }
        }

        Write-ConnsecStep 'Result'
        $rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
        if ($status -eq 0 -and $changed -eq 0 -and -not $WhatIfPreference) {
            Write-Host 'Every result is as expected, but none differs from the baseline: the engine''s default security gives the same answers, so this run does not show connsec''s effect. Run a decisive experiment (docs/walkthrough.md, step 8).' -ForegroundColor Red
            $status = 1
        }
        switch ($status) {
            0 { Write-Host "The DACL has the intended effect: $changed probe result(s) changed from the baseline as expected." -ForegroundColor Green }
            1 { Write-Host 'The DACL does NOT show the intended effect (rows with Ok = False, or no Changed = True).' -ForegroundColor Red }
            default { Write-Host 'The check could not be completed (Error rows: read their Detail and the output above).' -ForegroundColor Yellow }
        }
    }
} catch {
    Write-Error -Message "Test-ConnsecAccess failed: $($_.Exception.Message)" -ErrorAction Continue
    $status = 2
} finally {
    foreach ($name in @($TestUserName, $NcoUserName)) {
        $isOurs = ($name -ne $TestUserName -or $null -eq $TestUserCredential)
        if ($RemoveTestUser -and $isOurs -and [ADSI]::Exists("WinNT://$env:COMPUTERNAME/$name,user")) {
            if ($PSCmdlet.ShouldProcess("local user $name", 'Delete')) {
                ([ADSI]"WinNT://$env:COMPUTERNAME,computer").Delete('User', $name)
                Write-Host "Deleted the local user $name (its profile folder under C:\Users stays)."
            }
        } elseif ($created.Contains($name)) {
            Write-Host "The local user $name stays for the next run (delete it with -RemoveTestUser or Reset-TestVM.ps1 -RemoveTestUser)."
        }
    }
}
exit $status
