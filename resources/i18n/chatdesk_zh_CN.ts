<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="72" />
        <source>About ChatDesk</source>
        <translation>关于 ChatDesk</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="76" />
        <source>A desktop chat client for OpenAI-compatible servers.</source>
        <translation>适用于兼容 OpenAI 接口服务的桌面聊天客户端。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="81" />
        <source>Licence:</source>
        <translation>许可证：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="81" />
        <source>MIT (free software)</source>
        <translation>MIT（自由软件）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="82" />
        <source>Data folder:</source>
        <translation>数据文件夹：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="83" />
        <source>Log file:</source>
        <translation>日志文件：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="84" />
        <source>Keyring backend:</source>
        <translation>密钥环后端：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="85" />
        <source>Qt:</source>
        <translation>Qt：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="86" />
        <source>Python:</source>
        <translation>Python：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="87" />
        <source>Platform:</source>
        <translation>平台：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="96" />
        <source>Copy diagnostics</source>
        <translation>复制诊断信息</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="98" />
        <source>Versions and folders for a bug report: never a key, never message text</source>
        <translation>用于错误报告的版本与文件夹信息：绝不包含密钥或消息内容</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="101" />
        <source>Open data folder</source>
        <translation>打开数据文件夹</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="118" />
        <source>Diagnostics copied to the clipboard.</source>
        <translation>诊断信息已复制到剪贴板。</translation>
    </message>
</context>
<context>
    <name>ApprovalDialog</name>
    <message>
        <location filename="../../chatdesk/ui/mcpwidgets.py" line="112" />
        <source>Run a tool?</source>
        <translation>运行工具？</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpwidgets.py" line="118" />
        <source>Column %1</source>
        <translation>第 %1 列</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpwidgets.py" line="122" />
        <source>Run a tool? (column %1)</source>
        <translation>运行工具？（第 %1 列）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpwidgets.py" line="127" />
        <source>The model wants to run %1 on the MCP server %2 with these arguments:</source>
        <translation>模型想在 MCP 服务器 %2 上运行 %1，参数如下：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpwidgets.py" line="143" />
        <source>Allow once</source>
        <translation>允许一次</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpwidgets.py" line="144" />
        <source>Always allow this tool</source>
        <translation>始终允许此工具</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpwidgets.py" line="145" />
        <source>Deny</source>
        <translation>拒绝</translation>
    </message>
</context>
<context>
    <name>ArenaController</name>
    <message>
        <location filename="../../chatdesk/ctl/arena.py" line="107" />
        <source>The votes could not be read: {error}</source>
        <translation>无法读取投票：{error}</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/arena.py" line="130" />
        <source>The ratings could not be computed: {error}</source>
        <translation>无法计算评分：{error}</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/arena.py" line="182" />
        <source>The prices could not be saved: {error}</source>
        <translation>无法保存价格：{error}</translation>
    </message>
</context>
<context>
    <name>AssistantsController</name>
    <message>
        <location filename="../../chatdesk/ctl/assistantsctl.py" line="68" />
        <source>Save as assistant</source>
        <translation>保存为助手</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/assistantsctl.py" line="69" />
        <source>Assistant name:</source>
        <translation>助手名称：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/assistantsctl.py" line="88" />
        <source>Not saved: %1</source>
        <translation>未保存：%1</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/assistantsctl.py" line="91" />
        <source>Saved the assistant "%1".</source>
        <translation>已保存助手“%1”。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/assistantsctl.py" line="99" />
        <location filename="../../chatdesk/ctl/assistantsctl.py" line="199" />
        <source>Wait for the answer to finish or stop it first.</source>
        <translation>请等待回答完成，或先停止生成。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/assistantsctl.py" line="155" />
        <source>Saved "%1".</source>
        <translation>已保存“%1”。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/assistantsctl.py" line="159" />
        <source>Deleted "%1".</source>
        <translation>已删除“%1”。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/assistantsctl.py" line="172" />
        <source>Imported %1 (%2 new, %3 replaced).</source>
        <translation>已导入 %1（新增 %2 个，替换 %3 个）。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/assistantsctl.py" line="185" />
        <source>Could not write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/assistantsctl.py" line="192" />
        <source>Exported %1 assistants to %2.</source>
        <translation>已将 %1 个助手导出到 %2。</translation>
    </message>
</context>
<context>
    <name>AssistantsDialog</name>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="59" />
        <source>Assistants</source>
        <translation>助手</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="67" />
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="68" />
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="69" />
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="70" />
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="87" />
        <source>e.g. Translator</source>
        <translation>例如：翻译助手</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="89" />
        <source>Empty: the model chosen in the window</source>
        <translation>留空：使用窗口中选择的模型</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="91" />
        <source>You are a careful translator…</source>
        <translation>你是一位细心的翻译…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="100" />
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="101" />
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="102" />
        <source>System prompt:</source>
        <translation>系统提示词：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="103" />
        <source>Parameters:</source>
        <translation>参数：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="109" />
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="110" />
        <source>Start chat</source>
        <translation>开始对话</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="161" />
        <source>Give the assistant a name.</source>
        <translation>请为助手命名。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="162" />
        <source>The name is too long (at most 100 characters).</source>
        <translation>名称过长（最多 100 个字符）。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="163" />
        <source>The system prompt is too long (at most 100000 characters).</source>
        <translation>系统提示词过长（最多 100000 个字符）。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="164" />
        <source>The model name is too long (at most 200 characters).</source>
        <translation>模型名称过长（最多 200 个字符）。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="165" />
        <source>Parameters must be a JSON object, e.g. {"temperature": 0.7}.</source>
        <translation>参数必须是 JSON 对象，例如 {"temperature": 0.7}。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="166" />
        <source>Parameter {detail}</source>
        <translation>参数 {detail}</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="167" />
        <source>The file is too large (at most 4 MB).</source>
        <translation>文件过大（最多 4 MB）。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="168" />
        <source>The file cannot be read: {detail}</source>
        <translation>无法读取文件：{detail}</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="169" />
        <source>The file is not valid JSON: {detail}</source>
        <translation>文件不是有效的 JSON：{detail}</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="170" />
        <source>The file is nested too deeply.</source>
        <translation>文件嵌套过深。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="171" />
        <source>The file holds no assistants.</source>
        <translation>文件中没有助手。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="172" />
        <source>Assistant {detail}</source>
        <translation>助手 {detail}</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="173" />
        <source>Too many assistants (at most 500).</source>
        <translation>助手过多（最多 500 个）。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="174" />
        <source>An assistant named "{detail}" already exists.</source>
        <translation>已存在名为“{detail}”的助手。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="237" />
        <source>Delete the assistant "{name}"?</source>
        <translation>删除助手“{name}”？</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="238" />
        <source>Delete assistant</source>
        <translation>删除助手</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="262" />
        <source>Import assistants</source>
        <translation>导入助手</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="262" />
        <location filename="../../chatdesk/ui/assistants.py" line="268" />
        <source>JSON files (*.json)</source>
        <translation>JSON 文件 (*.json)</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/assistants.py" line="268" />
        <source>Export assistants</source>
        <translation>导出助手</translation>
    </message>
</context>
<context>
    <name>ChatController</name>
    <message>
        <location filename="../../chatdesk/ctl/chat.py" line="87" />
        <location filename="../../chatdesk/ctl/chat.py" line="498" />
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/chat.py" line="169" />
        <location filename="../../chatdesk/ctl/chat.py" line="187" />
        <source>Wait for the answer to finish or stop it first.</source>
        <translation>请等待回答完成，或先停止生成。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/chat.py" line="277" />
        <location filename="../../chatdesk/ctl/chat.py" line="343" />
        <location filename="../../chatdesk/ctl/chat.py" line="347" />
        <source>Not sent: %1</source>
        <translation>未发送：%1</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/chat.py" line="311" />
        <source>Sent in place of the failed question (kept as the other branch).</source>
        <translation>已代替失败的提问发送（失败的那条保留为另一个分支）。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/chat.py" line="346" />
        <source>Request not valid</source>
        <translation>请求无效</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/chat.py" line="427" />
        <source>Stopped after %1 tool rounds.</source>
        <translation>已在 %1 轮工具调用后停止。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/chat.py" line="434" />
        <source>The answer could not be saved: %1</source>
        <translation>无法保存回答：%1</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/chat.py" line="538" />
        <source>Only your own messages can be edited.</source>
        <translation>只能编辑你自己发送的消息。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/chat.py" line="557" />
        <source>There is no answer yet.</source>
        <translation>还没有回答。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/chat.py" line="598" />
        <source>Tool result</source>
        <translation>工具结果</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/chat.py" line="599" />
        <source>Result for %1:</source>
        <translation>%1 的结果：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/chat.py" line="613" />
        <source>This tool call already has a result.</source>
        <translation>该工具调用已有结果。</translation>
    </message>
</context>
<context>
    <name>ChatDesk</name>
    <message>
        <location filename="../../chatdesk/app.py" line="364" />
        <source>ChatDesk cannot start</source>
        <translation>ChatDesk 无法启动</translation>
    </message>
</context>
<context>
    <name>ChatHeader</name>
    <message>
        <location filename="../../chatdesk/ui/header.py" line="264" />
        <source>Not in the server's list: it is sent as typed.</source>
        <translation>不在服务器的模型列表中：将按输入原样发送。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/header.py" line="276" />
        <source>More: assistants, settings</source>
        <translation>更多：助手、设置</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/header.py" line="277" />
        <source>More</source>
        <translation>更多</translation>
    </message>
</context>
<context>
    <name>ColumnParamsDialog</name>
    <message>
        <location filename="../../chatdesk/ui/comparecolumn.py" line="437" />
        <source>Parameters of column %1</source>
        <translation>第 %1 列的参数</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparecolumn.py" line="439" />
        <source>Provider of this column</source>
        <translation>本列的服务商</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparecolumn.py" line="440" />
        <source>This window's server</source>
        <translation>本窗口使用的服务器</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparecolumn.py" line="446" />
        <source>Provider</source>
        <translation>服务商</translation>
    </message>
</context>
<context>
    <name>ColumnRuns</name>
    <message>
        <location filename="../../chatdesk/ctl/comparerun.py" line="103" />
        <source>Set up a server and key first.</source>
        <translation>请先设置服务器和密钥。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/comparerun.py" line="110" />
        <source>Attempt %1: waiting for the first token…</source>
        <translation>第 %1 次尝试：等待第一个 token…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/comparerun.py" line="111" />
        <source>Waiting for the first token…</source>
        <translation>正在等待首个 token…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/comparerun.py" line="190" />
        <location filename="../../chatdesk/ctl/comparerun.py" line="219" />
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/comparerun.py" line="195" />
        <source>Stopped after %1 tool rounds.</source>
        <translation>已在 %1 轮工具调用后停止。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/comparerun.py" line="209" />
        <source>Not saved: %1</source>
        <translation>未保存：%1</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/comparerun.py" line="216" />
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/comparerun.py" line="223" />
        <source>Answered on attempt %1.</source>
        <translation>第 %1 次尝试时得到回答。</translation>
    </message>
</context>
<context>
    <name>CompareActions</name>
    <message>
        <location filename="../../chatdesk/ctl/compareactions.py" line="85" />
        <source>Only the latest answer of a column can be redone.</source>
        <translation>只能重新生成某列最新的回答。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/compareactions.py" line="88" />
        <source>To edit or delete messages, use “Continue in chat” on this column.</source>
        <translation>要编辑或删除消息，请在本列使用“转为对话继续”。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/compareactions.py" line="106" />
        <source>Reveal the model?</source>
        <translation>显示模型？</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/compareactions.py" line="108" />
        <source>You have not voted yet. The new chat shows which model answered in column %1, so this comparison is no longer blind for you. Continue?</source>
        <translation>你还没有投票。新的对话会显示第 %1 列是哪个模型回答的，这次比较对你来说就不再是盲测了。继续吗？</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/compareactions.py" line="147" />
        <source>Both columns need an answer to compare.</source>
        <translation>两列都需要有回答才能比较。</translation>
    </message>
</context>
<context>
    <name>CompareColumn</name>
    <message>
        <location filename="../../chatdesk/ui/comparecolumn.py" line="81" />
        <source>Answers in column %1</source>
        <translation>第 %1 栏的回答</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparecolumn.py" line="144" />
        <source>Parameters of this column</source>
        <translation>本列的参数</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparecolumn.py" line="152" />
        <source>More column actions</source>
        <translation>更多列操作</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparecolumn.py" line="161" />
        <source>Tools</source>
        <translation>工具</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparecolumn.py" line="162" />
        <source>Move this column left</source>
        <translation>左移本列</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparecolumn.py" line="164" />
        <source>Move this column right</source>
        <translation>右移本列</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparecolumn.py" line="167" />
        <source>Remove this column</source>
        <translation>移除本列</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparecolumn.py" line="180" />
        <source>Word differences</source>
        <translation>逐词差异</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparecolumn.py" line="126" />
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparecolumn.py" line="109" />
        <source>Copy the model's name</source>
        <translation>复制模型名称</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparecolumn.py" line="126" />
        <source>Stop this column</source>
        <translation>停止本列</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparecolumn.py" line="131" />
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparecolumn.py" line="131" />
        <source>Send this column again</source>
        <translation>重新发送本列</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparecolumn.py" line="177" />
        <location filename="../../chatdesk/ui/comparecolumn.py" line="284" />
        <source>Figures of column %1</source>
        <translation>第 %1 列的指标</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparecolumn.py" line="197" />
        <source>Carry forward</source>
        <translation>沿用此回答</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparecolumn.py" line="198" />
        <source>Make this answer the shared context of every column for the next prompt</source>
        <translation>下一条提示中，让所有列都以此回答为共同上下文</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparecolumn.py" line="204" />
        <source>Continue in chat</source>
        <translation>转为对话继续</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparecolumn.py" line="205" />
        <source>Open this column as an ordinary conversation with its whole history</source>
        <translation>把本列连同完整历史转成普通对话</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparecolumn.py" line="321" />
        <source>Model: %1</source>
        <translation>模型：%1</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparecolumn.py" line="90" />
        <location filename="../../chatdesk/ui/comparecolumn.py" line="224" />
        <location filename="../../chatdesk/ui/comparecolumn.py" line="282" />
        <location filename="../../chatdesk/ui/comparecolumn.py" line="283" />
        <source>Column %1</source>
        <translation>第 %1 列</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparecolumn.py" line="302" />
        <source>Model %1</source>
        <translation>模型 %1</translation>
    </message>
</context>
<context>
    <name>CompareController</name>
    <message>
        <location filename="../../chatdesk/ctl/compare.py" line="175" />
        <source>Wait for the answers to finish or stop them first.</source>
        <extracomment>How often the live figures of streaming columns are refreshed.</extracomment>
        <translation>请等待回答完成，或先停止它们。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/compare.py" line="238" />
        <source>Comparison</source>
        <translation>对比</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/compare.py" line="240" />
        <source>New comparison</source>
        <translation>新建对比</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/compare.py" line="284" />
        <source>This answer was carried forward: every column continued from it.</source>
        <translation>这个回答已被沿用：每一列都从它继续。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/compare.py" line="289" />
        <source>Continued from %1's answer.</source>
        <translation>从 %1 的回答继续。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/compare.py" line="315" />
        <source>Columns are fixed once the first prompt is sent.</source>
        <translation>发送第一条提示后，列就不能再更改。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/compare.py" line="409" />
        <source>No provider named %1.</source>
        <translation>没有名为 %1 的服务商。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/compare.py" line="434" />
        <source>Not sent: %1</source>
        <translation>未发送：%1</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/compare.py" line="438" />
        <source>Set up a server and key first.</source>
        <translation>请先设置服务器和密钥。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/compare.py" line="541" />
        <source>%1 tok/s</source>
        <translation>%1 token/秒</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/compare.py" line="553" />
        <source>Attempt %1: streaming…</source>
        <translation>第 %1 次尝试：正在接收…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/compare.py" line="555" />
        <source>Streaming…</source>
        <translation>正在生成…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/compare.py" line="565" />
        <source>There is no answer to carry forward yet.</source>
        <translation>还没有可以沿用的回答。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/compare.py" line="577" />
        <source>One prompt goes to every column; each answers on its own.</source>
        <translation>一条提示发给所有列，各列独立回答。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/compare.py" line="579" />
        <source>Next prompt: each column continues its own thread.</source>
        <translation>下一条提示：各列沿着自己的对话继续。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/compare.py" line="584" />
        <source>Next prompt: every column continues from %1's answer.</source>
        <translation>下一条提示：所有列都从 %1 的回答继续。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/compare.py" line="610" />
        <source>tie</source>
        <translation>平局</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/compare.py" line="610" />
        <source>all bad</source>
        <translation>都不好</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/compare.py" line="611" />
        <source>Your vote: %1. %2</source>
        <translation>你的投票：%1。%2</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/compare.py" line="643" />
        <source>Change the models if you like, then send.</source>
        <translation>可以先更换模型，然后发送。</translation>
    </message>
</context>
<context>
    <name>CompareView</name>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="78" />
        <source>Comparison</source>
        <translation>对比</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="85" />
        <source>Column</source>
        <translation>添加列</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="86" />
        <source>Add a column (up to 4)</source>
        <translation>添加一列（最多 4 列）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="88" />
        <source>Add a column</source>
        <translation>添加一列</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="91" />
        <source>Blind</source>
        <translation>盲测</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="93" />
        <source>Hide the model names and shuffle the columns until you vote</source>
        <translation>投票前隐藏模型名称并打乱列的顺序</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="97" />
        <source>Sync scrolling</source>
        <translation>同步滚动</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="100" />
        <source>Scroll every column together</source>
        <translation>所有列一起滚动</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="104" />
        <source>Word diff</source>
        <translation>逐词对比</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="105" />
        <source>Show the word differences of two columns' answers</source>
        <translation>显示两列回答的逐词差异</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="108" />
        <source>First column of the diff</source>
        <translation>对比的第一列</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="109" />
        <source>Second column of the diff</source>
        <translation>对比的第二列</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="116" />
        <source>Re-run</source>
        <translation>重新运行</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="117" />
        <source>Send this prompt again, to the same or other models</source>
        <translation>把这条提示再次发送给相同或其他模型</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="121" />
        <source>Prices…</source>
        <translation>价格…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="122" />
        <source>Model prices used to show the cost of answers</source>
        <translation>用于计算回答费用的模型价格</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="126" />
        <source>Leaderboard</source>
        <translation>排行榜</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="159" />
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="179" />
        <location filename="../../chatdesk/ui/compareview.py" line="386" />
        <location filename="../../chatdesk/ui/compareview.py" line="431" />
        <source>Which answer is better?</source>
        <translation>哪个回答更好？</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="235" />
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="345" />
        <source>Carried</source>
        <translation>被延续</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="347" />
        <source>Continues from %1</source>
        <translation>延续自 %1</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="381" />
        <source>A is better</source>
        <translation>A 更好</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="382" />
        <source>B is better</source>
        <translation>B 更好</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="383" />
        <location filename="../../chatdesk/ui/compareview.py" line="393" />
        <source>Tie</source>
        <translation>平局</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="384" />
        <source>Both are bad</source>
        <translation>都不好</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="384" />
        <location filename="../../chatdesk/ui/compareview.py" line="394" />
        <source>Bad</source>
        <translation>都差</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="389" />
        <source>%1 is best</source>
        <translation>%1 最好</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="394" />
        <source>All are bad</source>
        <translation>都不好</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/compareview.py" line="396" />
        <location filename="../../chatdesk/ui/compareview.py" line="431" />
        <source>Which answer is best?</source>
        <translation>哪个回答最好？</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="215" />
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="248" />
        <source>Attach</source>
        <translation>附件</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="251" />
        <location filename="../../chatdesk/ui/composer.py" line="252" />
        <location filename="../../chatdesk/ui/composer.py" line="555" />
        <source>Attach images</source>
        <translation>添加图片</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="264" />
        <source>Editing your message: Enter sends it as a new branch, Esc cancels.</source>
        <translation>正在编辑你的消息：按 Enter 作为新分支发送，按 Esc 取消。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="346" />
        <source>{0} is larger than 20 MB and was not attached.</source>
        <translation>{0} 超过 20 MB，未添加。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="414" />
        <source>Wait for the reply to finish, or press Esc to stop it.</source>
        <translation>请等待回复完成，或按 Esc 停止。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="419" />
        <source>An edited message cannot be empty.</source>
        <translation>编辑后的消息不能为空。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="431" />
        <source>Type a message or attach an image first.</source>
        <translation>请先输入消息或添加图片。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="488" />
        <source>The pasted image could not be read.</source>
        <translation>无法读取粘贴的图片。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="503" />
        <source>{0} is not an image.</source>
        <translation>{0} 不是图片。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="507" />
        <source>{0} is larger than 20 MB.</source>
        <translation>{0} 超过 20 MB。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="512" />
        <source>{0} could not be read.</source>
        <translation>无法读取 {0}。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="515" />
        <source>{0} is not an image this app can read.</source>
        <translation>{0} 不是本应用支持的图片格式。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="557" />
        <source>Images (*.png *.jpg *.jpeg *.gif *.webp *.bmp)</source>
        <translation>图片 (*.png *.jpg *.jpeg *.gif *.webp *.bmp)</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="566" />
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="567" />
        <source>Stop the reply (Esc)</source>
        <translation>停止回复 (Esc)</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="570" />
        <source>Resend</source>
        <translation>重新发送</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="571" />
        <source>Send the edited message as a new branch</source>
        <translation>把编辑后的消息作为新分支发送</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="574" />
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="575" />
        <source>Enter</source>
        <translation>Enter</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="575" />
        <source>Ctrl+Enter</source>
        <translation>Ctrl+Enter</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="576" />
        <source>Send ({0})</source>
        <translation>发送（{0}）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="582" />
        <source>Message… (Enter to send, Shift+Enter for a new line)</source>
        <translation>发消息…（Enter 发送，Shift+Enter 换行）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="584" />
        <source>Message… (Ctrl+Enter to send, Enter for a new line)</source>
        <translation>发消息…（Ctrl+Enter 发送，Enter 换行）</translation>
    </message>
</context>
<context>
    <name>ConversationList</name>
    <message>
        <location filename="../../chatdesk/ui/convlist.py" line="85" />
        <location filename="../../chatdesk/ui/convlist.py" line="86" />
        <source>Filter conversations</source>
        <translation>筛选对话</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convlist.py" line="101" />
        <location filename="../../chatdesk/ui/convlist.py" line="106" />
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convlist.py" line="105" />
        <source>New chat (Ctrl+N)</source>
        <translation>新对话 (Ctrl+N)</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convlist.py" line="113" />
        <source>Conversations</source>
        <translation>对话</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convlist.py" line="136" />
        <source>Conversation deleted</source>
        <translation>对话已删除</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convlist.py" line="137" />
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convlist.py" line="279" />
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convlist.py" line="282" />
        <source>Unpin</source>
        <translation>取消置顶</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convlist.py" line="282" />
        <source>Pin</source>
        <translation>置顶</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convlist.py" line="285" />
        <source>Delete</source>
        <translation>删除</translation>
    </message>
</context>
<context>
    <name>ConversationListModel</name>
    <message>
        <location filename="../../chatdesk/ui/convmodel.py" line="104" />
        <location filename="../../chatdesk/ui/convmodel.py" line="106" />
        <location filename="../../chatdesk/ui/convmodel.py" line="325" />
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convmodel.py" line="124" />
        <source>Comparison</source>
        <translation>对比</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convmodel.py" line="126" />
        <source>Prompt set run</source>
        <translation>提示集运行</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convmodel.py" line="184" />
        <source>Pinned</source>
        <translation>已置顶</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convmodel.py" line="185" />
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convmodel.py" line="186" />
        <source>Yesterday</source>
        <translation>昨天</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convmodel.py" line="187" />
        <source>Previous 7 days</source>
        <translation>过去 7 天</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convmodel.py" line="188" />
        <source>Previous 30 days</source>
        <translation>过去 30 天</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convmodel.py" line="189" />
        <source>Older</source>
        <translation>更早</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convmodel.py" line="198" />
        <source>January</source>
        <translation>1月</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convmodel.py" line="199" />
        <source>February</source>
        <translation>2月</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convmodel.py" line="200" />
        <source>March</source>
        <translation>3月</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convmodel.py" line="201" />
        <source>April</source>
        <translation>4月</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convmodel.py" line="202" />
        <source>May</source>
        <translation>5月</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convmodel.py" line="203" />
        <source>June</source>
        <translation>6月</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convmodel.py" line="204" />
        <source>July</source>
        <translation>7月</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convmodel.py" line="205" />
        <source>August</source>
        <translation>8月</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convmodel.py" line="206" />
        <source>September</source>
        <translation>9月</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convmodel.py" line="207" />
        <source>October</source>
        <translation>10月</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convmodel.py" line="208" />
        <source>November</source>
        <translation>11月</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convmodel.py" line="209" />
        <source>December</source>
        <translation>12月</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/convmodel.py" line="213" />
        <source>{month} {year}</source>
        <translation>{year}年{month}</translation>
    </message>
</context>
<context>
    <name>CrashNotice</name>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="205" />
        <source>ChatDesk stopped unexpectedly</source>
        <translation>ChatDesk 意外退出</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="207" />
        <source>ChatDesk stopped unexpectedly last time. A crash report was saved:</source>
        <translation>ChatDesk 上次意外退出，已保存一份崩溃报告：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="212" />
        <source>It holds no key and no message text. Attach it when you report the problem.</source>
        <translation>报告中不含密钥和消息内容。反馈问题时请附上它。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="214" />
        <source>Open report</source>
        <translation>打开报告</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="215" />
        <source>Open folder</source>
        <translation>打开文件夹</translation>
    </message>
</context>
<context>
    <name>EmptyState</name>
    <message>
        <location filename="../../chatdesk/ui/emptystate.py" line="33" />
        <source>How can I help?</source>
        <translation>有什么可以帮你？</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/emptystate.py" line="48" />
        <source>Explain a concept simply</source>
        <translation>通俗地解释一个概念</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/emptystate.py" line="48" />
        <source>Explain in simple terms: </source>
        <translation>用通俗的话解释：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/emptystate.py" line="49" />
        <source>Summarise a text</source>
        <translation>总结一段文字</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/emptystate.py" line="49" />
        <source>Summarise the following text:

</source>
        <translation>总结下面这段文字：

</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/emptystate.py" line="50" />
        <source>Help me write code</source>
        <translation>帮我写代码</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/emptystate.py" line="50" />
        <source>Write a Python function that </source>
        <translation>写一个 Python 函数，</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/emptystate.py" line="51" />
        <source>Translate into Chinese</source>
        <translation>翻译成英文</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/emptystate.py" line="51" />
        <source>Translate into Chinese:

</source>
        <translation>翻译成英文：

</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/emptystate.py" line="57" />
        <source>Start the message with this</source>
        <translation>用这句开始写消息</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/emptystate.py" line="108" />
        <source>%1 on %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/emptystate.py" line="111" />
        <source>Assistant: %1</source>
        <translation>助手：%1</translation>
    </message>
</context>
<context>
    <name>EndpointService</name>
    <message>
        <location filename="../../chatdesk/ctl/endpoint.py" line="121" />
        <source>Server: %1</source>
        <translation>服务器：%1</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/endpoint.py" line="154" />
        <source>Wait for the answer to finish or stop it first.</source>
        <translation>请等待回答完成，或先停止生成。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/endpoint.py" line="172" />
        <source>No provider named %1.</source>
        <translation>没有名为 %1 的服务商。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/endpoint.py" line="205" />
        <source>This chat was with %1, which this window is not using; new messages go to %2.</source>
        <translation>这个对话原先使用 %1，本窗口没有使用它；新消息将发送到 %2。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/endpoint.py" line="246" />
        <source>Check the settings: %1</source>
        <translation>请检查设置：%1</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/endpoint.py" line="281" />
        <source>Cached model list (no API key yet)</source>
        <translation>缓存的模型列表（尚未设置 API 密钥）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/endpoint.py" line="283" />
        <source>Built-in model list (no API key yet)</source>
        <translation>内置模型列表（尚未设置 API 密钥）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/endpoint.py" line="298" />
        <source>Models from the server</source>
        <translation>来自服务器的模型列表</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/endpoint.py" line="299" />
        <source>Cached model list (server unreachable)</source>
        <translation>缓存的模型列表（无法连接服务器）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/endpoint.py" line="300" />
        <source>Built-in model list (server unreachable)</source>
        <translation>内置模型列表（无法连接服务器）</translation>
    </message>
</context>
<context>
    <name>FigureStrip</name>
    <message>
        <location filename="../../chatdesk/ui/comparefigures.py" line="42" />
        <source>First token</source>
        <translation>首字延迟</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparefigures.py" line="43" />
        <source>Total</source>
        <translation>总耗时</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparefigures.py" line="44" />
        <source>Tokens in/out</source>
        <translation>输入/输出 token</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparefigures.py" line="45" />
        <source>Speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparefigures.py" line="46" />
        <source>Finish</source>
        <translation>结束原因</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparefigures.py" line="47" />
        <source>Cost</source>
        <translation>费用</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparefigures.py" line="51" />
        <source>first</source>
        <translation>首字</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparefigures.py" line="53" />
        <source>tokens</source>
        <translation>token</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/comparefigures.py" line="54" />
        <source>cost</source>
        <translation>费用</translation>
    </message>
</context>
<context>
    <name>FindBar</name>
    <message>
        <location filename="../../chatdesk/ui/findbar.py" line="49" />
        <source>Find in conversation</source>
        <translation>在对话中查找</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/findbar.py" line="63" />
        <source>Previous match (Shift+Enter, Shift+F3)</source>
        <translation>上一个匹配 (Shift+Enter, Shift+F3)</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/findbar.py" line="64" />
        <source>Previous</source>
        <translation>上一个</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/findbar.py" line="70" />
        <source>Next match (Enter, F3)</source>
        <translation>下一个匹配 (Enter, F3)</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/findbar.py" line="71" />
        <source>Next</source>
        <translation>下一个</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/findbar.py" line="78" />
        <source>Close (Esc)</source>
        <translation>关闭 (Esc)</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/findbar.py" line="79" />
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/findbar.py" line="214" />
        <source>{current} of {total}</source>
        <translation>{current}/{total}</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/findbar.py" line="218" />
        <source>No matches</source>
        <translation>无匹配</translation>
    </message>
</context>
<context>
    <name>HistoryController</name>
    <message>
        <location filename="../../chatdesk/ctl/history.py" line="106" />
        <source>Run %1</source>
        <translation>运行 %1</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/history.py" line="192" />
        <source>Open a conversation to export it.</source>
        <translation>请先打开要导出的对话。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/history.py" line="201" />
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/history.py" line="222" />
        <source>Export a blind comparison</source>
        <translation>导出盲测比较</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/history.py" line="219" />
        <source>You have not voted on this blind comparison yet. The export names the model of every column. Export anyway?</source>
        <translation>你还没有对这次盲测比较投票。导出的内容会写明每一列的模型。仍要导出吗？</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/history.py" line="214" />
        <source>%1 blind comparison(s) have no vote yet. The export names the model of every column. Export anyway?</source>
        <translation>有 %1 个盲测对比还没有投票。导出会写明每一列的模型。仍要导出吗？</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/history.py" line="233" />
        <source>Exported %1 conversation(s) to %2.</source>
        <translation>已将 %1 个对话导出到 %2。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/history.py" line="238" />
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/history.py" line="243" />
        <source>Import conversations</source>
        <translation>导入对话</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/history.py" line="245" />
        <source>ChatDesk or ChatGPT export (*.json *.zip)</source>
        <translation>ChatDesk 或 ChatGPT 导出文件 (*.json *.zip)</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/history.py" line="259" />
        <source>Imported %1 conversation(s) with %2 message(s); %3 were already there.</source>
        <translation>已导入 %1 个对话、%2 条消息；%3 个对话已存在，已跳过。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/history.py" line="265" />
        <source>Importing…</source>
        <translation>正在导入…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/history.py" line="276" />
        <source>Backed up to %1.</source>
        <translation>已备份到 %1。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/history.py" line="278" />
        <source>Backing up…</source>
        <translation>正在备份…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/history.py" line="294" />
        <source>There is no backup yet. Use “Back up now” first.</source>
        <translation>还没有备份。请先使用“立即备份”。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/history.py" line="298" />
        <location filename="../../chatdesk/ctl/history.py" line="304" />
        <source>Restore</source>
        <translation>恢复</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/history.py" line="298" />
        <source>Restore the history from:</source>
        <translation>从以下备份恢复历史记录：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/history.py" line="305" />
        <source>Replace the current history with %1? The current file is kept aside.</source>
        <translation>用 %1 替换当前的历史记录？当前文件会另行保留。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/history.py" line="319" />
        <source>Wait for the answer to finish first.</source>
        <translation>请等待回答完成。</translation>
    </message>
</context>
<context>
    <name>JumpButton</name>
    <message>
        <location filename="../../chatdesk/ui/jumpbutton.py" line="23" />
        <location filename="../../chatdesk/ui/jumpbutton.py" line="24" />
        <source>Jump to latest</source>
        <translation>跳到最新</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/jumpbutton.py" line="25" />
        <location filename="../../chatdesk/ui/jumpbutton.py" line="26" />
        <source>Scroll to the end of the conversation</source>
        <translation>滚动到对话末尾</translation>
    </message>
</context>
<context>
    <name>KeyPanel</name>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="52" />
        <source>Welcome to ChatDesk</source>
        <translation>欢迎使用 ChatDesk</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="59" />
        <source>Connect a provider to start chatting. The key is kept in your system keyring, never in a file.</source>
        <translation>连接一个服务商即可开始聊天。密钥保存在系统钥匙串中，绝不写入文件。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="68" />
        <source>Provider</source>
        <translation>服务商</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="70" />
        <source>Another OpenAI-compatible server</source>
        <translation>其他 OpenAI 兼容服务器</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="75" />
        <source>Base URL</source>
        <translation>接口地址</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="78" />
        <source>sk-...</source>
        <translation>sk-...</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="79" />
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="86" />
        <location filename="../../chatdesk/ui/keypanel.py" line="218" />
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="88" />
        <source>Show the key</source>
        <translation>显示密钥</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="96" />
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="98" />
        <source>The model new chats use; the list fills from the server once connected.</source>
        <translation>新对话使用的模型；连接成功后列表来自服务器。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="109" />
        <source>Provider:</source>
        <translation>服务商：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="110" />
        <source>Base URL:</source>
        <translation>API 地址：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="111" />
        <source>API key:</source>
        <translation>API 密钥：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="112" />
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="114" />
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="115" />
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="136" />
        <source>Use this key for this session only</source>
        <translation>仅在本次会话中使用此密钥</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="139" />
        <source>The key stays in memory until ChatDesk quits and is not saved anywhere.</source>
        <translation>密钥只保存在内存中，ChatDesk 退出后即清除，不会保存到任何地方。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="218" />
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="237" />
        <source>The base URL must start with http:// or https://, e.g. {example}</source>
        <translation>API 地址必须以 http:// 或 https:// 开头，例如 {example}</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="247" />
        <source>Paste your API key first: nothing was saved.</source>
        <translation>请先粘贴 API 密钥：未保存任何内容。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="258" />
        <source>Testing the connection…</source>
        <translation>正在测试连接…</translation>
    </message>
</context>
<context>
    <name>LeaderboardModel</name>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="98" />
        <source>#</source>
        <extracomment>The role that gives a cell's value for sorting (``None`` sorts below everything). How long date edits wait for more typing before asking the source again (ms).</extracomment>
        <translation>排名</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="99" />
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="100" />
        <source>Rating</source>
        <translation>评分</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="101" />
        <source>95% CI</source>
        <translation>95% 置信区间</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="102" />
        <source>Votes</source>
        <translation>投票数</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="103" />
        <source>Wins</source>
        <translation>胜</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="104" />
        <source>Losses</source>
        <translation>负</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="105" />
        <source>Ties</source>
        <translation>平</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="106" />
        <source>First token (ms)</source>
        <translation>首字延迟（毫秒）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="107" />
        <source>Tok/s</source>
        <translation>token/秒</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="111" />
        <source>Where the 95% intervals overlap the rank is shared (1-3); models with fewer than {count} votes are not ranked yet</source>
        <translation>95% 区间重叠时名次并列显示（1-3）；投票少于 {count} 次的模型暂不排名</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="114" />
        <source>Bradley-Terry rating from your votes; 1000 is the average</source>
        <translation>根据您的投票计算的 Bradley-Terry 评分；平均为 1000</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="115" />
        <source>95% confidence interval of the rating</source>
        <translation>评分的 95% 置信区间</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="116" />
        <source>Median time to first token over your finished answers</source>
        <translation>您已完成回答的首字延迟中位数</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="117" />
        <source>Median generation speed over your finished answers</source>
        <translation>您已完成回答的生成速度中位数</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="119" />
        <source>No finished answers with timing yet</source>
        <translation>尚无带计时数据的已完成回答</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="120" />
        <source>Too few votes to rank: a model needs {count}</source>
        <translation>投票太少，无法排名：每个模型需要 {count} 票</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="177" />
        <source>Rating between {low} and {high} with 95% confidence</source>
        <translation>评分有 95% 的把握在 {low} 到 {high} 之间</translation>
    </message>
</context>
<context>
    <name>LeaderboardWindow</name>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="248" />
        <location filename="../../chatdesk/ui/leaderboard.py" line="249" />
        <source>Leaderboard</source>
        <translation>排行榜</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="254" />
        <source>All time</source>
        <translation>全部时间</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="255" />
        <source>Count votes from all time</source>
        <translation>统计全部时间的投票</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="257" />
        <source>Votes from this date</source>
        <translation>从此日期起的投票</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="258" />
        <source>Votes up to this date</source>
        <translation>截至此日期的投票</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="259" />
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="261" />
        <source>To</source>
        <translation>到</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="263" />
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="264" />
        <source>Refresh the leaderboard</source>
        <translation>刷新排行榜</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="273" />
        <source>Model ranking</source>
        <translation>模型排名</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="296" />
        <source>Leaderboard status</source>
        <translation>排行榜状态</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="303" />
        <source>Leaderboard progress</source>
        <translation>排行榜进度</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="307" />
        <source>Ranking note</source>
        <translation>排名说明</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="312" />
        <source>Ratings come from your own votes (Bradley-Terry): 1000 is the average and a 400-point gap means 10:1 odds. A vote counts only between the columns that answered. Speeds are medians over all your finished answers.</source>
        <translation>评分来自您自己的投票（Bradley-Terry 模型）：平均为 1000，相差 400 分意味着 10:1 的胜率。投票只在有回答的列之间计算。速度为您所有已完成回答的中位数。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="404" />
        <source>The start date is after the end date.</source>
        <translation>开始日期晚于结束日期。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="410" />
        <source>Computing the ratings…</source>
        <translation>正在计算评分…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="436" />
        <source>{count} of {total} models have fewer than {needed} votes: too few to rank them. Ranks like 1-3 mean the intervals overlap: the votes do not tell these models apart.</source>
        <translation>{total} 个模型中有 {count} 个的投票少于 {needed} 次，太少，无法排名。1-3 这样的名次表示区间重叠：投票还分不出这些模型的高下。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="444" />
        <source>Vote in a comparison to build your leaderboard.</source>
        <translation>在对比中投票，即可建立您的排行榜。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/leaderboard.py" line="446" />
        <source>No votes between these dates.</source>
        <translation>这段日期内没有投票。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="150" />
        <location filename="../../chatdesk/ui/mainwindow.py" line="201" />
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="151" />
        <source>Parameters and system prompt (Ctrl+P)</source>
        <translation>参数和系统提示词（Ctrl+P）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="155" />
        <source>Compare</source>
        <translation>对比</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="157" />
        <source>Compare 2 to 4 models side by side on one prompt (Ctrl+Shift+N)</source>
        <translation>用同一条提示并排对比 2 到 4 个模型（Ctrl+Shift+N）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="193" />
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="194" />
        <source>Settings (Ctrl+,)</source>
        <translation>设置（Ctrl+,）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="205" />
        <location filename="../../chatdesk/ui/mainwindow.py" line="207" />
        <source>System prompt</source>
        <translation>系统提示词</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="208" />
        <source>You are a helpful assistant.</source>
        <translation>你是一个乐于助人的助手。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/selfcheck.py" line="27" />
        <location filename="../../chatdesk/ui/mainwindow.py" line="236" />
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="95" />
        <source>Messages</source>
        <translation>消息</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="127" />
        <location filename="../../chatdesk/ui/mainwindow.py" line="246" />
        <source>Prompt-set runs</source>
        <translation>提示词集运行</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="190" />
        <source>Assistants</source>
        <translation>助手</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="237" />
        <location filename="../../chatdesk/ui/mainwindow.py" line="604" />
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="240" />
        <source>New comparison</source>
        <translation>新建对比</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="243" />
        <source>New prompt-set run…</source>
        <translation>新建提示词集运行…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="249" />
        <source>Model leaderboard…</source>
        <translation>模型排行榜…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="252" />
        <source>Export conversation…</source>
        <translation>导出对话…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="255" />
        <source>Export all conversations…</source>
        <translation>导出全部对话…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="257" />
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="261" />
        <source>Back up now</source>
        <translation>立即备份</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="263" />
        <source>Restore from a backup…</source>
        <translation>从备份恢复…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="266" />
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="270" />
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="271" />
        <source>Search all conversations…</source>
        <translation>搜索全部对话…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="274" />
        <source>Find in conversation…</source>
        <translation>在对话中查找…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="278" />
        <source>Regenerate last answer</source>
        <translation>重新生成最后的回答</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="281" />
        <source>Copy last answer</source>
        <translation>复制最后的回答</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="284" />
        <source>Edit last message (Up in an empty box)</source>
        <translation>编辑最后一条消息（输入框为空时按 ↑）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="289" />
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="290" />
        <source>Show sidebar</source>
        <translation>显示侧边栏</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="540" />
        <source>Provider: %1</source>
        <translation>服务商：%1</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="543" />
        <source>Server: %1</source>
        <translation>服务器：%1</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="642" />
        <source>Save current as assistant…</source>
        <translation>将当前设置保存为助手…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="644" />
        <source>Manage assistants…</source>
        <translation>管理助手…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="649" />
        <source>New chat: %1</source>
        <translation>新对话：%1</translation>
    </message>
</context>
<context>
    <name>McpController</name>
    <message>
        <location filename="../../chatdesk/ctl/mcpctl.py" line="116" />
        <source>MCP server %1 failed: %2</source>
        <translation>MCP 服务器 %1 出错：%2</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/mcpctl.py" line="162" />
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/mcpctl.py" line="163" />
        <source>starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/mcpctl.py" line="164" />
        <source>ready, %1 tools</source>
        <translation>就绪，%1 个工具</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/mcpctl.py" line="165" />
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/mcpctl.py" line="185" />
        <source>Saved %1.</source>
        <translation>已保存 %1。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/mcpctl.py" line="235" />
        <source>Not imported: %1</source>
        <translation>未导入：%1</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/mcpctl.py" line="237" />
        <source>Imported: %1</source>
        <translation>已导入：%1</translation>
    </message>
</context>
<context>
    <name>McpServersDialog</name>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="88" />
        <location filename="../../chatdesk/ui/mcpsettings.py" line="95" />
        <source>MCP servers</source>
        <extracomment>What a failed server shows of its stderr (the manager keeps a bounded tail already).</extracomment>
        <translation>MCP 服务器</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="98" />
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="99" />
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="100" />
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="108" />
        <source>Tools always allowed</source>
        <translation>始终允许的工具</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="110" />
        <source>Revoke</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="115" />
        <source>Tools always allowed:</source>
        <translation>始终允许的工具：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="119" />
        <location filename="../../chatdesk/ui/mcpsettings.py" line="286" />
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="122" />
        <source>e.g. files</source>
        <translation>例如 files</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="124" />
        <source>Program (stdio)</source>
        <translation>程序（stdio）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="125" />
        <source>Streamable HTTP</source>
        <translation>可流式 HTTP</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="130" />
        <source>One argument per line</source>
        <translation>每行一个参数</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="134" />
        <source>(the default folder)</source>
        <translation>（默认文件夹）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="146" />
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="147" />
        <source>A tool call that takes longer fails</source>
        <translation>超过此时长的工具调用判为失败</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="148" />
        <source>Enabled</source>
        <translation>启用</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="151" />
        <source>Environment values and headers are kept in the system keyring and never shown; leave a value empty to keep the stored one.</source>
        <translation>环境变量的值和请求头保存在系统密钥环中，从不显示；值留空则保留已保存的值。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="158" />
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="159" />
        <source>Kind:</source>
        <translation>类型：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="160" />
        <source>Command:</source>
        <translation>命令：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="161" />
        <source>Arguments:</source>
        <translation>参数：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="162" />
        <source>Environment:</source>
        <translation>环境变量：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="163" />
        <source>Working folder:</source>
        <translation>工作文件夹：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="164" />
        <source>URL:</source>
        <translation>URL：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="165" />
        <source>Headers:</source>
        <translation>请求头：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="166" />
        <source>Call timeout:</source>
        <translation>调用超时：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="169" />
        <source>Save server</source>
        <translation>保存服务器</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="170" />
        <source>Start now</source>
        <translation>立即启动</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="171" />
        <source>Start the server to see whether it works</source>
        <translation>启动服务器，看看它能否正常工作</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="188" />
        <source>What the server printed last</source>
        <translation>服务器最后输出的内容</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="286" />
        <source>New server</source>
        <translation>新服务器</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="309" />
        <source>not started in this session</source>
        <translation>本次运行中尚未启动</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="310" />
        <source>State: %1</source>
        <translation>状态：%1</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="383" />
        <source>Remove server</source>
        <translation>移除服务器</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="384" />
        <source>Forget the MCP server %1, its stored secrets and approvals?</source>
        <translation>要删除 MCP 服务器 %1 及其保存的密钥和授权吗？</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="393" />
        <source>Import MCP servers</source>
        <translation>导入 MCP 服务器</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpsettings.py" line="393" />
        <source>JSON files (*.json);;All files (*)</source>
        <translation>JSON 文件 (*.json);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>MessageView</name>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="56" />
        <location filename="../../chatdesk/ui/messagestyle.py" line="137" />
        <source>Copy</source>
        <extracomment>What a tool card shows at most: arguments, a folded result, a whole result.
----------
The start of a card's table (an error, a tool call): the view rounds these too. The widest a reading column gets (px): about 80 characters of body text. A user's bubble takes at most this share of the column (it sits on the right). The view's colours by theme (``PALETTES[dark]["muted"]``), taken from the app theme.</extracomment>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagecanvas.py" line="565" />
        <location filename="../../chatdesk/ui/messagehtml.py" line="80" />
        <source>You</source>
        <translation>你</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagecanvas.py" line="566" />
        <location filename="../../chatdesk/ui/messagehtml.py" line="81" />
        <source>Assistant</source>
        <translation>助手</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="82" />
        <source>System</source>
        <translation>系统</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="83" />
        <source>Tool</source>
        <translation>工具</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagedocs.py" line="168" />
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="124" />
        <location filename="../../chatdesk/ui/messagestyle.py" line="156" />
        <source>Thinking</source>
        <translation>思考过程</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="126" />
        <source>{n} characters</source>
        <translation>{n} 个字符</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="152" />
        <source>{n} more characters</source>
        <translation>另有 {n} 个字符</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="187" />
        <source>{s} s</source>
        <translation>{s} 秒</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="188" />
        <source>{ms} ms</source>
        <translation>{ms} 毫秒</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="203" />
        <source>Arguments</source>
        <translation>参数</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="215" />
        <source>Hide the result</source>
        <translation>隐藏结果</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="217" />
        <source>Show the whole result ({n} characters)</source>
        <translation>显示完整结果（{n} 个字符）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="256" />
        <location filename="../../chatdesk/ui/messagestyle.py" line="146" />
        <source>Reply with result</source>
        <translation>回复结果</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="280" />
        <source>image</source>
        <translation>图片</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="294" />
        <location filename="../../chatdesk/ui/messagestyle.py" line="144" />
        <source>Continue</source>
        <translation>继续生成</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="296" />
        <source>Waiting…</source>
        <translation>等待中…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="340" />
        <source>Hide details</source>
        <translation>隐藏详情</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="342" />
        <location filename="../../chatdesk/ui/messagestyle.py" line="157" />
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="344" />
        <location filename="../../chatdesk/ui/messagestyle.py" line="143" />
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="302" />
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="304" />
        <source>Interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="312" />
        <source>The answer reached the length limit.</source>
        <translation>回答已达到长度上限。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="320" />
        <source>The answer was filtered by the provider.</source>
        <translation>回答已被服务商过滤。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagestyle.py" line="138" />
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagestyle.py" line="139" />
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagestyle.py" line="140" />
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagestyle.py" line="141" />
        <source>Previous version</source>
        <translation>上一个版本</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagestyle.py" line="142" />
        <source>Next version</source>
        <translation>下一个版本</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagestyle.py" line="145" />
        <source>Copy code</source>
        <translation>复制代码</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagestyle.py" line="158" />
        <source>Show the whole result</source>
        <translation>显示完整结果</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagestyle.py" line="159" />
        <source>Show all</source>
        <translation>显示全部</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="387" />
        <source>Rate limited: the server asks you to wait before retrying.</source>
        <translation>请求过于频繁：服务器要求稍候再试。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="391" />
        <source>Rate limited: retry in {n} s</source>
        <translation>请求过于频繁：{n} 秒后可重试</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="394" />
        <source>Rate limited: you can retry now.</source>
        <translation>请求过于频繁：现在可以重试了。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="398" />
        <source>No API key was sent, and this server requires one. Set the key for this provider in Settings.</source>
        <translation>请求未附带 API 密钥，而该服务器需要密钥。请在“设置”中为该服务商设置密钥。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="404" />
        <source>The API key was rejected. Check the key for this provider.</source>
        <translation>API 密钥被拒绝。请检查此服务商的密钥。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="407" />
        <source>The account has no credit left. Top up the balance with your provider.</source>
        <translation>账户余额不足。请到服务商处充值。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="410" />
        <source>The server does not know this model. Check the model name and base URL.</source>
        <translation>服务器不支持此模型。请检查模型名称和 API 地址。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="413" />
        <source>The server had an internal error. Try again in a moment.</source>
        <translation>服务器内部错误。请稍后再试。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="416" />
        <source>Could not reach the server (network down, timeout or connection dropped).</source>
        <translation>无法连接服务器（网络断开、超时或连接中断）。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="420" />
        <source>The server sent a reply this client cannot read. Check the base URL.</source>
        <translation>服务器返回了无法解析的响应。请检查 API 地址。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="423" />
        <source>The provider's content filter blocked the request or the answer.</source>
        <translation>服务商的内容过滤拦截了请求或回答。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="426" />
        <source>The server refused the request as invalid.</source>
        <translation>服务器认为请求无效，已拒绝。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="429" />
        <source>This key is not allowed to use this model or endpoint.</source>
        <translation>此密钥无权使用该模型或接口。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="433" />
        <source>The request failed.</source>
        <translation>请求失败。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="445" />
        <source>{i} in / {o} out tokens</source>
        <translation>输入 {i} / 输出 {o} tokens</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="451" />
        <source>first token {ms} ms</source>
        <translation>首 token {ms} ms</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="459" />
        <source>{r} tok/s</source>
        <translation>{r} tok/s</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="480" />
        <source>Show less</source>
        <translation>收起</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/messagehtml.py" line="482" />
        <source>Show all (%1 lines)</source>
        <translation>显示全部（%1 行）</translation>
    </message>
</context>
<context>
    <name>ModelMenu</name>
    <message>
        <location filename="../../chatdesk/ui/modelmenu.py" line="119" />
        <source>Search models, or type any model id</source>
        <translation>搜索模型，或输入任意模型 ID</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/modelmenu.py" line="120" />
        <source>Search models</source>
        <translation>搜索模型</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/modelmenu.py" line="127" />
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/modelmenu.py" line="219" />
        <source>Recent</source>
        <translation>最近使用</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/modelmenu.py" line="224" />
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/modelmenu.py" line="237" />
        <source>Use "%1" (not in the list: sent as typed)</source>
        <translation>使用“%1”（不在列表中：按输入发送）</translation>
    </message>
</context>
<context>
    <name>ModelPicker</name>
    <message>
        <location filename="../../chatdesk/ui/modelpicker.py" line="154" />
        <source>Model id</source>
        <translation>模型 ID</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/modelpicker.py" line="159" />
        <source>Not in the server's list: it is sent as typed.</source>
        <translation>不在服务器的模型列表中：将按输入原样发送。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/modelpicker.py" line="177" />
        <location filename="../../chatdesk/ui/modelpicker.py" line="203" />
        <source>Recent</source>
        <translation>最近使用</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/modelpicker.py" line="178" />
        <location filename="../../chatdesk/ui/modelpicker.py" line="217" />
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/modelpicker.py" line="353" />
        <source>Model: {0}</source>
        <translation>模型：{0}</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/modelpicker.py" line="357" />
        <source>List: {0}</source>
        <translation>列表：{0}</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/modelpicker.py" line="358" />
        <source>Type to search; press Enter to use any model id.</source>
        <translation>输入以搜索；按 Enter 可使用任意模型 ID。</translation>
    </message>
</context>
<context>
    <name>ModelPill</name>
    <message>
        <location filename="../../chatdesk/ui/header.py" line="185" />
        <source>Model: %1</source>
        <translation>模型：%1</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/header.py" line="190" />
        <location filename="../../chatdesk/ui/header.py" line="219" />
        <source>Choose a model</source>
        <translation>选择模型</translation>
    </message>
</context>
<context>
    <name>NewRunDialog</name>
    <message>
        <location filename="../../chatdesk/ui/rundialog.py" line="133" />
        <source>New prompt-set run</source>
        <translation>新建提示词集运行</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/rundialog.py" line="141" />
        <source>Name of the run</source>
        <translation>运行名称</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/rundialog.py" line="142" />
        <source>Named after the file when empty</source>
        <translation>留空时以文件名命名</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/rundialog.py" line="143" />
        <source>Open file…</source>
        <translation>打开文件…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/rundialog.py" line="144" />
        <source>Open a prompt set file</source>
        <translation>打开提示词集文件</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/rundialog.py" line="147" />
        <source>.jsonl (one object a line with "prompt", optional "id" and "system"), .txt (one prompt a line) or .csv (a prompt column)</source>
        <translation>.jsonl（每行一个对象，含 "prompt"，可选 "id" 和 "system"）、.txt（每行一个提示词）或 .csv（含 prompt 列）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/rundialog.py" line="152" />
        <location filename="../../chatdesk/ui/rundialog.py" line="268" />
        <location filename="../../chatdesk/ui/rundialog.py" line="311" />
        <source>or type / paste prompts below, one a line</source>
        <translation>或在下方输入 / 粘贴提示词，每行一个</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/rundialog.py" line="154" />
        <source>Prompts, one a line (or JSON lines)</source>
        <translation>提示词，每行一个（或 JSON 行）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/rundialog.py" line="156" />
        <source>One prompt a line, or JSON lines: {"prompt": "…", "id": "…"}</source>
        <translation>每行一个提示词，或 JSON 行：{"prompt": "…", "id": "…"}</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/rundialog.py" line="163" />
        <source>Add model</source>
        <translation>添加模型</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/rundialog.py" line="165" />
        <source>Judge each pair with</source>
        <translation>评审每对回答的模型</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/rundialog.py" line="169" />
        <source>Judge model</source>
        <translation>评审模型</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/rundialog.py" line="177" />
        <location filename="../../chatdesk/ui/rundialog.py" line="209" />
        <source>Requests at once</source>
        <translation>同时请求数</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/rundialog.py" line="183" />
        <source>What the run will do</source>
        <translation>本次运行将做什么</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/rundialog.py" line="187" />
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/rundialog.py" line="193" />
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/rundialog.py" line="197" />
        <source>Prompts</source>
        <translation>提示词</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/rundialog.py" line="201" />
        <source>Models (2 to 4), each with its own parameters</source>
        <translation>模型（2 到 4 个），各有自己的参数</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/rundialog.py" line="288" />
        <source>Open a prompt set</source>
        <translation>打开提示词集</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/rundialog.py" line="290" />
        <source>Prompt sets (*.jsonl *.ndjson *.txt *.csv);;All files (*)</source>
        <translation>提示词集 (*.jsonl *.ndjson *.txt *.csv);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message>
        <location filename="../../chatdesk/ui/notify.py" line="82" />
        <source>The answer is ready</source>
        <translation>回答已完成</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/notify.py" line="83" />
        <source>%1 answered in %2 s.</source>
        <translation>%1 用时 %2 秒完成回答。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/notify.py" line="85" />
        <source>The answer failed</source>
        <translation>回答失败</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/notify.py" line="86" />
        <source>%1 stopped with an error.</source>
        <translation>%1 因错误而停止。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/notify.py" line="93" />
        <source>The comparison is ready</source>
        <translation>对比已完成</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/notify.py" line="95" />
        <source>Answers from %1.</source>
        <translation>来自 %1 的回答。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/notify.py" line="97" />
        <source>Every column has answered.</source>
        <translation>所有栏都已回答。</translation>
    </message>
</context>
<context>
    <name>ParamsPanel</name>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="145" />
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="152" />
        <source>Top p</source>
        <translation>Top p</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="153" />
        <source>Nucleus sampling, 0 to 1. Use this or temperature.</source>
        <translation>核采样，0 到 1。与温度二选一即可。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="164" />
        <source>Max tokens</source>
        <translation>最大 tokens</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="165" />
        <source>Cap on the length of the reply, in tokens.</source>
        <translation>回复长度上限，以 token 计。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="174" />
        <source>Replies (n)</source>
        <translation>回复数 (n)</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="175" />
        <source>How many candidate replies to generate (1 to 16).</source>
        <translation>要生成的候选回复数（1 到 16）。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="190" />
        <source>One per line, up to 4. Write \n for a newline.</source>
        <translation>每行一个，最多 4 个。用 \n 表示换行。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="185" />
        <location filename="../../chatdesk/ui/params.py" line="203" />
        <source>Stop sequences</source>
        <translation>停止序列</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="204" />
        <source>The reply ends before any of these texts (up to 4).</source>
        <translation>回复遇到其中任一文本时即结束（最多 4 个）。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="213" />
        <source>Presence penalty</source>
        <translation>存在惩罚</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="214" />
        <source>-2 to 2. Positive values favour new topics.</source>
        <translation>-2 到 2。正值鼓励谈论新话题。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="220" />
        <source>Frequency penalty</source>
        <translation>频率惩罚</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="221" />
        <source>-2 to 2. Positive values reduce repetition.</source>
        <translation>-2 到 2。正值减少重复。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="227" />
        <source>JSON output</source>
        <translation>JSON 输出</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="229" />
        <source>Ask for a JSON object reply. Mention JSON in your prompt too.</source>
        <translation>要求以 JSON 对象回复。请同时在提示词中提及 JSON。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="236" />
        <source>any whole number</source>
        <translation>任意整数</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="240" />
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="241" />
        <source>Best-effort determinism: the same seed tends to give the same reply.</source>
        <translation>尽量保证结果可复现：相同的种子往往得到相同的回复。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="246" />
        <source>end-user id</source>
        <translation>终端用户 ID</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="250" />
        <source>User id</source>
        <translation>用户 ID</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="251" />
        <source>An end-user id the server may use for abuse monitoring.</source>
        <translation>终端用户 ID，服务器可用于滥用监测。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="263" />
        <source>Tools</source>
        <translation>工具</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="264" />
        <source>Function tools the model may call, as a JSON array.</source>
        <translation>模型可调用的函数工具，JSON 数组格式。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="274" />
        <source>Tool choice</source>
        <translation>工具选择</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="275" />
        <source>auto: model decides; none: never; required: must call; or one function.</source>
        <translation>auto：由模型决定；none：从不调用；required：必须调用；或指定某个函数。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="283" />
        <source>View code</source>
        <translation>查看代码</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="284" />
        <source>Show this request as cURL, Python or Node code</source>
        <translation>以 cURL、Python 或 Node 代码显示此请求</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="286" />
        <source>Reset all</source>
        <translation>全部重置</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="287" />
        <source>Unset every parameter (server defaults)</source>
        <translation>清除所有参数（使用服务器默认值）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="301" />
        <source>Request parameters</source>
        <translation>请求参数</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="503" />
        <source>Tools JSON is invalid; changes are not applied.</source>
        <translation>工具 JSON 无效，更改未应用。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="527" />
        <source>At most 4 stop sequences are allowed.</source>
        <translation>最多允许 4 个停止序列。</translation>
    </message>
</context>
<context>
    <name>PriceTableDialog</name>
    <message>
        <location filename="../../chatdesk/ui/prices.py" line="93" />
        <location filename="../../chatdesk/ui/prices.py" line="94" />
        <source>Model prices</source>
        <translation>模型价格</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/prices.py" line="101" />
        <source>Prices per million tokens, used to show what compared answers cost. Leave the provider empty to price a model on every provider. Models without a price show no cost.</source>
        <translation>每百万 token 的价格，用于显示对比回答的费用。服务商留空表示该价格适用于所有服务商。未设置价格的模型不显示费用。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/prices.py" line="110" />
        <source>Price table</source>
        <translation>价格表</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/prices.py" line="113" />
        <source>Provider</source>
        <translation>服务商</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/prices.py" line="114" />
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/prices.py" line="115" />
        <source>Input /1M</source>
        <translation>输入 /百万</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/prices.py" line="116" />
        <source>Output /1M</source>
        <translation>输出 /百万</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/prices.py" line="117" />
        <source>Currency</source>
        <translation>货币</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/prices.py" line="129" />
        <source>Add price</source>
        <translation>添加价格</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/prices.py" line="130" />
        <source>Add a price row</source>
        <translation>添加一行价格</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/prices.py" line="135" />
        <source>Price table problem</source>
        <translation>价格表问题</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/prices.py" line="143" />
        <source>Save prices</source>
        <translation>保存价格</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/prices.py" line="190" />
        <location filename="../../chatdesk/ui/prices.py" line="275" />
        <source>any provider</source>
        <translation>任意服务商</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/prices.py" line="191" />
        <source>model name</source>
        <translation>模型名称</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/prices.py" line="209" />
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/prices.py" line="245" />
        <source>Provider, row {row}</source>
        <translation>服务商，第 {row} 行</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/prices.py" line="246" />
        <source>Model, row {row}</source>
        <translation>模型，第 {row} 行</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/prices.py" line="247" />
        <source>Input price per million tokens, row {row}</source>
        <translation>每百万输入 token 的价格，第 {row} 行</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/prices.py" line="248" />
        <source>Output price per million tokens, row {row}</source>
        <translation>每百万输出 token 的价格，第 {row} 行</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/prices.py" line="249" />
        <source>Currency, row {row}</source>
        <translation>货币，第 {row} 行</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/prices.py" line="250" />
        <source>Remove row {row}</source>
        <translation>移除第 {row} 行</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/prices.py" line="273" />
        <source>Row {row} repeats the price of {model} on {provider} from row {first}.</source>
        <translation>第 {row} 行与第 {first} 行重复：{provider} 上的 {model} 价格。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/prices.py" line="298" />
        <source>Row {row}: the provider name is not usable.</source>
        <translation>第 {row} 行：服务商名称无效。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/prices.py" line="301" />
        <source>Row {row}: enter the model name.</source>
        <translation>第 {row} 行：请输入模型名称。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/prices.py" line="305" />
        <source>Row {row}: the model name is not usable.</source>
        <translation>第 {row} 行：模型名称无效。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/prices.py" line="311" />
        <source>Row {row}: the input price must be a number from 0 up to 1,000,000.</source>
        <translation>第 {row} 行：输入价格必须是 0 到 1,000,000 之间的数字。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/prices.py" line="318" />
        <source>Row {row}: the output price must be a number from 0 up to 1,000,000.</source>
        <translation>第 {row} 行：输出价格必须是 0 到 1,000,000 之间的数字。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/prices.py" line="325" />
        <source>Row {row}: the currency must be a short code such as USD or CNY.</source>
        <translation>第 {row} 行：货币必须是简短代码，例如 USD 或 CNY。</translation>
    </message>
</context>
<context>
    <name>RunController</name>
    <message>
        <location filename="../../chatdesk/ctl/runs.py" line="166" />
        <source>Prompt-set runs matching: %1</source>
        <extracomment>The summary and judge replies are recomputed at most this often while a run fills. The sidebar counts runs up to this many ("200+" beyond). The progress line is rewritten at most this often.</extracomment>
        <translation>匹配的提示词集运行：%1</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runs.py" line="170" />
        <source>Prompt-set runs (%1)</source>
        <translation>提示词集运行（%1）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runs.py" line="218" />
        <source>judge: %1</source>
        <translation>评审：%1</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runs.py" line="247" />
        <source>running in another ChatDesk window or terminal</source>
        <translation>正在另一个 ChatDesk 窗口或终端中运行</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runs.py" line="249" />
        <source>%1 failed</source>
        <translation>%1 个失败</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runs.py" line="284" />
        <source>Type or paste prompts, or open a file.</source>
        <translation>请输入或粘贴提示词，或打开一个文件。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runs.py" line="294" />
        <source>Set up a server and key first.</source>
        <translation>请先设置服务器和密钥。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runs.py" line="315" />
        <source>Choose 2 to 4 models.</source>
        <translation>请选择 2 到 4 个模型。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runs.py" line="367" />
        <source>%1 prompts × %2 models: %3 requests (%4 answers + %5 judge calls).</source>
        <translation>%1 个提示词 × %2 个模型：%3 个请求（%4 个回答 + %5 次评审）。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runs.py" line="375" />
        <source>Estimated cost: %1.</source>
        <translation>预计费用：%1。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runs.py" line="377" />
        <source>No price for %1.</source>
        <translation>%1 没有价格。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runs.py" line="380" />
        <source>No prices set: the cost is not estimated.</source>
        <translation>未设置价格：不估算费用。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runs.py" line="388" />
        <source>The run was not started: %1</source>
        <translation>运行未开始：%1</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runs.py" line="400" />
        <source>Run of %1 prompts</source>
        <translation>%1 个提示词的运行</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runs.py" line="428" />
        <source>%1 (re-run)</source>
        <translation>%1（重新运行）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runs.py" line="456" />
        <source>A run is going on: stop it or wait for it first.</source>
        <translation>有运行正在进行：请先停止或等待它结束。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runs.py" line="482" />
        <source>Run %1 is going on in another ChatDesk window or terminal.</source>
        <translation>运行 %1 正在另一个 ChatDesk 窗口或终端中进行。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runs.py" line="487" />
        <source>The run did not start: %1</source>
        <translation>运行未能开始：%1</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runs.py" line="549" />
        <source>Run %1: %2, %3/%4 answers.</source>
        <translation>运行 %1：%2，%3/%4 个回答。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runs.py" line="622" />
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runs.py" line="623" />
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runs.py" line="624" />
        <source>HTML report (*.html)</source>
        <translation>HTML 报告 (*.html)</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runs.py" line="628" />
        <source>Export the run</source>
        <translation>导出运行</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runs.py" line="651" />
        <source>Not exported: %1</source>
        <translation>未导出：%1</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runs.py" line="654" />
        <source>Exported to %1</source>
        <translation>已导出到 %1</translation>
    </message>
</context>
<context>
    <name>RunText</name>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="96" />
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="104" />
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="106" />
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="109" />
        <source>Answering…</source>
        <translation>回答中…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="113" />
        <source>not started</source>
        <translation>未开始</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="114" />
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="115" />
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="116" />
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="117" />
        <source>some failed</source>
        <translation>部分失败</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="125" />
        <source>judge: %1</source>
        <translation>评审：%1</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="131" />
        <source>%1 failed</source>
        <translation>%1 个失败</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="134" />
        <source>judged %1/%2</source>
        <translation>已评审 %1/%2</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="139" />
        <source>cost so far %1</source>
        <translation>目前费用 %1</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="142" />
        <source>rate limited, waiting %1</source>
        <translation>受到限流，等待 %1</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="144" />
        <source>about %1 left</source>
        <translation>约剩 %1</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="149" />
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="150" />
        <source>Answered</source>
        <translation>已回答</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="151" />
        <source>Errors</source>
        <translation>错误</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="152" />
        <source>Median first token</source>
        <translation>首 token 中位数</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="153" />
        <source>Median tok/s</source>
        <translation>token/秒 中位数</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="154" />
        <source>Tokens out</source>
        <translation>输出 token</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="155" />
        <source>Cost</source>
        <translation>费用</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="156" />
        <source>Judge W/L/T</source>
        <translation>评审 胜/负/平</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="157" />
        <source>Rating (95% interval)</source>
        <translation>评分（95% 区间）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="170" />
        <source>No judge replies for prompt %1 yet.</source>
        <translation>提示词 %1 还没有评审回复。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="181" />
        <source>%1 vs %2</source>
        <translation>%1 对 %2</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="184" />
        <source>tie</source>
        <translation>平局</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="184" />
        <source>no verdict</source>
        <translation>无裁决</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="187" />
        <source>verdict: %1</source>
        <translation>裁决：%1</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="193" />
        <source>Answer A was %1</source>
        <translation>回答 A 是 %1</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/runtext.py" line="196" />
        <source>failed: %1</source>
        <translation>失败：%1</translation>
    </message>
</context>
<context>
    <name>RunView</name>
    <message>
        <location filename="../../chatdesk/ui/runview.py" line="79" />
        <location filename="../../chatdesk/ui/runview.py" line="80" />
        <source>Search runs</source>
        <extracomment>Columns of the grid are at least this wide (three short lines of an answer). The prompts' column: three lines of about 30 characters each.</extracomment>
        <translation>搜索运行</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/runview.py" line="87" />
        <source>New run…</source>
        <translation>新建运行…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/runview.py" line="88" />
        <source>New prompt-set run</source>
        <translation>新建提示词集运行</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/runview.py" line="92" />
        <source>Prompt-set runs</source>
        <translation>提示词集运行</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/runview.py" line="113" />
        <source>Run progress</source>
        <translation>运行进度</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/runview.py" line="118" />
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/runview.py" line="119" />
        <source>Stop the run</source>
        <translation>停止运行</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/runview.py" line="121" />
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/runview.py" line="122" />
        <source>Resume the run</source>
        <translation>继续运行</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/runview.py" line="124" />
        <source>Retry cell</source>
        <translation>重试单元格</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/runview.py" line="125" />
        <source>Retry the selected cell</source>
        <translation>重试所选单元格</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/runview.py" line="127" />
        <source>Compare row</source>
        <translation>对比此行</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/runview.py" line="128" />
        <source>Compare this row's answers blind</source>
        <translation>盲评对比此行的回答</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/runview.py" line="130" />
        <source>Re-run with other models…</source>
        <translation>用其他模型重新运行…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/runview.py" line="133" />
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/runview.py" line="134" />
        <source>Export the run</source>
        <translation>导出运行</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/runview.py" line="138" />
        <source>CSV (one row per cell)…</source>
        <translation>CSV（每个单元格一行）…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/runview.py" line="139" />
        <source>JSON…</source>
        <translation>JSON…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/runview.py" line="140" />
        <source>HTML report…</source>
        <translation>HTML 报告…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/runview.py" line="160" />
        <source>Answers: prompts by models</source>
        <translation>回答：提示词 × 模型</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/runview.py" line="189" />
        <source>Summary per model</source>
        <translation>各模型汇总</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/runview.py" line="201" />
        <source>Judge replies for the selected prompt</source>
        <translation>所选提示词的评审回复</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/runview.py" line="204" />
        <source>Summary</source>
        <translation>汇总</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/runview.py" line="205" />
        <source>Judge replies</source>
        <translation>评审回复</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/runview.py" line="265" />
        <source>No run open: start one with New run…</source>
        <translation>未打开运行：用“新建运行…”开始一个</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/runview.py" line="357" />
        <source>Compare this row (blind)</source>
        <translation>对比此行（盲评）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/runview.py" line="359" />
        <source>Retry this cell</source>
        <translation>重试此单元格</translation>
    </message>
</context>
<context>
    <name>SearchPanel</name>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="114" />
        <source>Search</source>
        <extracomment>``runs(query)``: prompt-set runs matching the query, as ``(run id, label)``.</extracomment>
        <translation>搜索</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="138" />
        <source>Search all conversations</source>
        <translation>搜索全部对话</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="139" />
        <source>Search all conversations…</source>
        <translation>搜索全部对话…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="154" />
        <source>Only answers from this model</source>
        <translation>仅显示此模型的回答</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="159" />
        <location filename="../../chatdesk/ui/searchpanel.py" line="306" />
        <source>All models</source>
        <translation>所有模型</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="165" />
        <source>All messages</source>
        <translation>所有消息</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="166" />
        <location filename="../../chatdesk/ui/searchpanel.py" line="375" />
        <source>You</source>
        <translation>你</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="167" />
        <location filename="../../chatdesk/ui/searchpanel.py" line="375" />
        <source>Assistant</source>
        <translation>助手</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="173" />
        <source>Any time</source>
        <translation>任意时间</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="174" />
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="175" />
        <source>Last 7 days</source>
        <translation>最近 7 天</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="176" />
        <source>Last 30 days</source>
        <translation>最近 30 天</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="177" />
        <source>Last year</source>
        <translation>最近一年</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="178" />
        <source>Custom range…</source>
        <translation>自定义范围…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="190" />
        <source>From (inclusive)</source>
        <translation>起始日期（含）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="191" />
        <source>To (inclusive)</source>
        <translation>结束日期（含）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="206" />
        <source>Pinned only</source>
        <translation>仅已置顶</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="208" />
        <source>Comparisons only</source>
        <translation>仅对比对话</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="211" />
        <source>Only conversations where several models answered side by side</source>
        <translation>仅显示多个模型并排回答的对话</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="216" />
        <source>Sort by</source>
        <translation>排序方式</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="219" />
        <source>Newest</source>
        <translation>最新</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="220" />
        <source>Relevance</source>
        <translation>相关度</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="234" />
        <source>Prompt-set runs that match</source>
        <translation>匹配的提示词集运行</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="241" />
        <source>Search results</source>
        <translation>搜索结果</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="257" />
        <source>↑↓ select · Enter open · Esc close</source>
        <translation>↑↓ 选择 · Enter 打开 · Esc 关闭</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="371" />
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="456" />
        <source>Prompt-set runs:</source>
        <translation>提示词集运行：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="503" />
        <source>unknown date</source>
        <translation>日期未知</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="512" />
        <source>Search failed: {error}</source>
        <translation>搜索失败：{error}</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="514" />
        <source>Type to search your conversations</source>
        <translation>输入关键词搜索对话</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="518" />
        <source>No results</source>
        <translation>无结果</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="520" />
        <source>1 result</source>
        <translation>1 个结果</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="522" />
        <source>{count}+ results</source>
        <translation>{count}+ 个结果</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/searchpanel.py" line="524" />
        <source>{count} results</source>
        <translation>{count} 个结果</translation>
    </message>
</context>
<context>
    <name>Services</name>
    <message>
        <location filename="../../chatdesk/ctl/services.py" line="201" />
        <source>The history is busy: the answer is kept and will be saved shortly.</source>
        <translation>历史记录正忙：回答已保留，稍后会自动保存。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/services.py" line="205" />
        <source>The answer is saved.</source>
        <translation>回答已保存。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/services.py" line="207" />
        <source>The answer could not be saved: %1</source>
        <translation>无法保存回答：%1</translation>
    </message>
</context>
<context>
    <name>SettingsController</name>
    <message>
        <location filename="../../chatdesk/ctl/settingsctl.py" line="108" />
        <source>This window talks to %1 (given with --base-url); a provider below is used once you pick it in the toolbar.</source>
        <translation>本窗口正在使用 %1（由 --base-url 指定）；在工具栏中选择下面的服务商后才会使用它。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/settingsctl.py" line="114" />
        <source>In use in this window: %1</source>
        <translation>本窗口正在使用：%1</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ctl/settingsctl.py" line="175" />
        <source>The key is used for this session only.</source>
        <translation>此密钥仅在本次会话中使用。</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="123" />
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="130" />
        <location filename="../../chatdesk/ui/settings.py" line="156" />
        <source>Providers</source>
        <translation>服务商</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="131" />
        <source>Appearance</source>
        <translation>外观</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="132" />
        <source>Network</source>
        <translation>网络</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="133" />
        <source>Title model</source>
        <translation>标题模型</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="175" />
        <source>MCP servers…</source>
        <translation>MCP 服务器…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="159" />
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="160" />
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="161" />
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="176" />
        <source>Tool servers the models may call (MCP)</source>
        <translation>模型可以调用的工具服务器（MCP）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="184" />
        <location filename="../../chatdesk/ui/settings.py" line="383" />
        <source>Provider</source>
        <translation>服务商</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="186" />
        <source>e.g. Zero API</source>
        <translation>例如 Zero API</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="191" />
        <source>e.g. gpt-4o (optional)</source>
        <translation>例如 gpt-4o（可选）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="193" />
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="194" />
        <source>Base URL:</source>
        <translation>API 地址：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="195" />
        <source>API key:</source>
        <translation>API 密钥：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="196" />
        <source>Default model:</source>
        <translation>默认模型：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="201" />
        <source>JSON merged last into every request to this provider (all models)</source>
        <translation>最后合并进发往此服务商的每个请求的 JSON（所有模型）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="206" />
        <source>Model id → JSON merged over the provider's extra body for that model</source>
        <translation>模型 ID → 该模型专用的 JSON，合并在服务商的额外请求体之上</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="217" />
        <source>Extra body:</source>
        <translation>额外请求体：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="218" />
        <source>Per model:</source>
        <translation>按模型：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="227" />
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="228" />
        <source>Save provider</source>
        <translation>保存服务商</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="229" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="244" />
        <source>Connection test results appear here.</source>
        <translation>连接测试结果将显示在这里。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="265" />
        <source>It is too long ({detail} characters; at most 16000).</source>
        <translation>内容过长（{detail} 个字符；最多 16000）。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="266" />
        <source>It is not valid JSON: {detail}</source>
        <translation>不是有效的 JSON：{detail}</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="267" />
        <source>It must be a JSON object, e.g. {{"enable_thinking": true}}.</source>
        <translation>必须是 JSON 对象，例如 {{"enable_thinking": true}}。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="268" />
        <source>It is nested too deeply (at most 8 levels).</source>
        <translation>嵌套过深（最多 8 层）。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="270" />
        <source>"{detail}" cannot be set here: ChatDesk sends model, messages and stream itself.</source>
        <translation>不能在这里设置“{detail}”：model、messages 和 stream 由 ChatDesk 自己发送。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="272" />
        <source>The value for model "{detail}" must be a JSON object.</source>
        <translation>模型“{detail}”的值必须是 JSON 对象。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="273" />
        <source>A model name is empty.</source>
        <translation>有一个模型名称为空。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="282" />
        <source>Extra body: </source>
        <translation>额外请求体：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="287" />
        <source>Per model: </source>
        <translation>按模型：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="322" />
        <source>(no key)</source>
        <translation>（无密钥）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="348" />
        <source>Edit provider</source>
        <translation>编辑服务商</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="348" />
        <source>New provider</source>
        <translation>新建服务商</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="363" />
        <source>Stored key kept; type a new one to replace it</source>
        <translation>已保留存储的密钥；输入新密钥可替换</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="365" />
        <source>Paste your API key (sk-...)</source>
        <translation>粘贴你的 API 密钥 (sk-...)</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="401" />
        <source>Remove the provider "{name}" and its stored API key?</source>
        <translation>要移除服务商“{name}”及其存储的 API 密钥吗？</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="402" />
        <source>Remove provider</source>
        <translation>移除服务商</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="424" />
        <source>The base URL must start with http:// or https://, e.g. {example}</source>
        <translation>API 地址必须以 http:// 或 https:// 开头，例如 {example}</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="435" />
        <source>Enter a name for this provider.</source>
        <translation>请为此服务商输入名称。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="439" />
        <source>A provider named "{name}" already exists.</source>
        <translation>已存在名为“{name}”的服务商。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="471" />
        <source>Saved "{name}".</source>
        <translation>已保存“{name}”。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="476" />
        <source>Saved "{name}" without an API key: edit it and paste a key, unless the server needs none.</source>
        <translation>已保存“{name}”，但没有 API 密钥：请编辑并粘贴密钥（除非该服务器不需要密钥）。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="489" />
        <source>Testing the connection…</source>
        <translation>正在测试连接…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="504" />
        <source>✓ Connection works</source>
        <translation>✓ 连接正常</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="507" />
        <source>✗ Connection failed</source>
        <translation>✗ 连接失败</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="517" />
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="518" />
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="519" />
        <source>Follow system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="522" />
        <source> pt</source>
        <translation> pt</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="527" />
        <source>Language changes take effect after a restart.</source>
        <translation>语言更改将在重启后生效。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="530" />
        <source>Enter sends, Shift+Enter for a new line</source>
        <translation>Enter 发送，Shift+Enter 换行</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="531" />
        <source>Ctrl+Enter sends, Enter for a new line</source>
        <translation>Ctrl+Enter 发送，Enter 换行</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="533" />
        <source>Notify me when an answer finishes while ChatDesk is in the background</source>
        <translation>ChatDesk 在后台时，回答完成后通知我</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="536" />
        <source>Theme:</source>
        <translation>主题：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="537" />
        <source>Font size:</source>
        <translation>字号：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="538" />
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="540" />
        <source>Send with:</source>
        <translation>发送方式：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="541" />
        <source>Notifications:</source>
        <translation>通知：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="547" />
        <source>Use the system proxy</source>
        <translation>使用系统代理</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="548" />
        <source>No proxy</source>
        <translation>不使用代理</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="549" />
        <source>Custom proxy URL</source>
        <translation>自定义代理地址</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="556" />
        <location filename="../../chatdesk/ui/settings.py" line="561" />
        <location filename="../../chatdesk/ui/settings.py" line="568" />
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="557" />
        <source>How long to wait for the server to answer</source>
        <translation>等待服务器响应的最长时间</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="563" />
        <source>Give up on a reply when no data arrives for this long</source>
        <translation>超过此时长未收到数据则放弃本次回复</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="569" />
        <source>No limit</source>
        <translation>不限制</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="571" />
        <source>Stop a reply that is still arriving after this long (0: no limit)</source>
        <translation>回复持续超过这个时长就停止（0 表示不限制）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="574" />
        <source>Proxy:</source>
        <translation>代理：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="575" />
        <source>Proxy URL:</source>
        <translation>代理地址：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="576" />
        <source>Connect timeout:</source>
        <translation>连接超时：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="577" />
        <source>Stream idle timeout:</source>
        <translation>流式空闲超时：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="578" />
        <source>Reply deadline:</source>
        <translation>回复时限：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="591" />
        <source>Empty: use the first words of the message</source>
        <translation>留空：使用消息开头的几个词</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="594" />
        <source>New conversations are titled by this model. Leave empty to skip the request.</source>
        <translation>新对话的标题由此模型生成。留空则不发送该请求。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="600" />
        <source>Title model:</source>
        <translation>标题模型：</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="659" />
        <source>The proxy URL must look like http://host:port or socks5://host:port.</source>
        <translation>代理地址格式应为 http://host:port 或 socks5://host:port。</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="130" />
        <location filename="../../chatdesk/ui/about.py" line="141" />
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="134" />
        <source>Send the message</source>
        <translation>发送消息</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="134" />
        <source>Enter (or Ctrl+Enter, see Settings)</source>
        <translation>Enter（或 Ctrl+Enter，见设置）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="135" />
        <source>New line in the message</source>
        <translation>消息内换行</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="135" />
        <source>Shift+Enter</source>
        <translation>Shift+Enter</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="136" />
        <source>Stop the answer</source>
        <translation>停止回答</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="137" />
        <source>Move between controls</source>
        <translation>在控件之间移动</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="137" />
        <source>Tab, Shift+Tab</source>
        <translation>Tab、Shift+Tab</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="142" />
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/about.py" line="142" />
        <source>Shortcut</source>
        <translation>快捷键</translation>
    </message>
</context>
<context>
    <name>TemperatureControl</name>
    <message>
        <location filename="../../chatdesk/ui/paramfields.py" line="94" />
        <source>Temperature: lower is more focused, higher more varied (0 to 2).</source>
        <translation>温度：越低越集中，越高越多样（0 到 2）。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/paramfields.py" line="100" />
        <source>default</source>
        <translation>默认</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/paramfields.py" line="101" />
        <source>Temperature (0 to 2). "default" leaves it to the server.</source>
        <translation>温度（0 到 2）。“默认”表示由服务器决定。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/paramfields.py" line="105" />
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/paramfields.py" line="106" />
        <source>Temperature value</source>
        <translation>温度值</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/paramfields.py" line="108" />
        <source>Reset</source>
        <translation>重置</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/paramfields.py" line="109" />
        <source>Unset the temperature (use the server default)</source>
        <translation>清除温度设置（使用服务器默认值）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/paramfields.py" line="169" />
        <source> (assistant)</source>
        <translation>（助手）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/paramfields.py" line="172" />
        <source>Set by the assistant.</source>
        <translation>由助手设定。</translation>
    </message>
</context>
<context>
    <name>TitleField</name>
    <message>
        <location filename="../../chatdesk/ui/header.py" line="91" />
        <location filename="../../chatdesk/ui/header.py" line="95" />
        <source>Conversation title</source>
        <translation>对话标题</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/header.py" line="112" />
        <source>Double-click or press F2 to rename</source>
        <translation>双击或按 F2 重命名</translation>
    </message>
</context>
<context>
    <name>ToolChoiceBox</name>
    <message>
        <location filename="../../chatdesk/ui/toolseditor.py" line="192" />
        <source>Sent only when tools are set.</source>
        <translation>仅在设置了工具时发送。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/toolseditor.py" line="205" />
        <source>auto (model decides)</source>
        <translation>auto（由模型决定）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/toolseditor.py" line="206" />
        <source>none (never call tools)</source>
        <translation>none（从不调用工具）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/toolseditor.py" line="207" />
        <source>required (must call a tool)</source>
        <translation>required（必须调用工具）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/toolseditor.py" line="215" />
        <source>function: {name}</source>
        <translation>函数：{name}</translation>
    </message>
</context>
<context>
    <name>ToolServersButton</name>
    <message>
        <location filename="../../chatdesk/ui/mcpwidgets.py" line="51" />
        <source>No MCP servers yet</source>
        <translation>还没有 MCP 服务器</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpwidgets.py" line="61" />
        <source>Manage servers…</source>
        <translation>管理服务器…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpwidgets.py" line="86" />
        <source>Tools: %1</source>
        <translation>工具：%1</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpwidgets.py" line="88" />
        <source>Tools: off</source>
        <translation>工具：关闭</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/mcpwidgets.py" line="89" />
        <source>MCP servers whose tools this conversation offers</source>
        <translation>本对话提供哪些 MCP 服务器的工具</translation>
    </message>
</context>
<context>
    <name>ToolsEditor</name>
    <message>
        <location filename="../../chatdesk/ui/toolseditor.py" line="65" />
        <source>Tools (JSON)</source>
        <translation>工具（JSON）</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/toolseditor.py" line="69" />
        <source>[{"type": "function", "function": {"name": ..., "parameters": {...}}}]</source>
        <translation>[{"type": "function", "function": {"name": ..., "parameters": {...}}}]</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/toolseditor.py" line="78" />
        <source>Insert example</source>
        <translation>插入示例</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/toolseditor.py" line="108" />
        <location filename="../../chatdesk/ui/toolseditor.py" line="129" />
        <source>No tools.</source>
        <translation>无工具。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/toolseditor.py" line="131" />
        <source>Valid: no tools (an empty list is not sent).</source>
        <translation>有效：无工具（空列表不会发送）。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/toolseditor.py" line="133" />
        <source>Valid: 1 tool</source>
        <translation>有效：1 个工具</translation>
    </message>
    <message numerus="yes">
        <location filename="../../chatdesk/ui/toolseditor.py" line="135" />
        <source>Valid: %n tools</source>
        <translation><numerusform>有效：%n 个工具</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/toolseditor.py" line="147" />
        <source>Line {line}, column {col}: {msg}</source>
        <translation>第 {line} 行，第 {col} 列：{msg}</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/toolseditor.py" line="159" />
        <source>Tools must be a JSON array [...] of tool objects.</source>
        <translation>工具必须是由工具对象组成的 JSON 数组 [...]。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/toolseditor.py" line="161" />
        <source>Tool {i}: must be an object.</source>
        <translation>工具 {i}：必须是对象。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/toolseditor.py" line="163" />
        <source>Tool {i}: "type" must be "function".</source>
        <translation>工具 {i}："type" 必须为 "function"。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/toolseditor.py" line="165" />
        <source>Tool {i}: "function" must be an object.</source>
        <translation>工具 {i}："function" 必须是对象。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/toolseditor.py" line="167" />
        <source>Tool {i}: "function.name" is missing.</source>
        <translation>工具 {i}：缺少 "function.name"。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/toolseditor.py" line="170" />
        <source>Tool {i}: name "{name}" may use only letters, digits, _ and - (max 64).</source>
        <translation>工具 {i}：名称 "{name}" 只能包含字母、数字、_ 和 -（最多 64 个字符）。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/toolseditor.py" line="173" />
        <source>Tool {i}: duplicate name "{name}".</source>
        <translation>工具 {i}：名称 "{name}" 重复。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/toolseditor.py" line="175" />
        <source>Tool {i}: "function.description" must be text.</source>
        <translation>工具 {i}："function.description" 必须是文本。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/toolseditor.py" line="178" />
        <source>Tool {i}: the "function.parameters" schema must have "type": "object".</source>
        <translation>工具 {i}："function.parameters" 的 JSON Schema 中 "type" 必须是 "object"。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/toolseditor.py" line="180" />
        <source>Tool {i}: "function.parameters" must be a JSON Schema object.</source>
        <translation>工具 {i}："function.parameters" 必须是 JSON Schema 对象。</translation>
    </message>
</context>
<context>
    <name>ViewCodeDialog</name>
    <message>
        <location filename="../../chatdesk/ui/codedialog.py" line="48" />
        <source>View code</source>
        <translation>查看代码</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/codedialog.py" line="61" />
        <location filename="../../chatdesk/ui/codedialog.py" line="97" />
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/codedialog.py" line="62" />
        <source>Copy this snippet to the clipboard</source>
        <translation>将此代码片段复制到剪贴板</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/codedialog.py" line="75" />
        <source>The API key is masked: paste your own key or set OPENAI_API_KEY.</source>
        <translation>API 密钥已隐去：请粘贴你自己的密钥，或设置 OPENAI_API_KEY。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/codedialog.py" line="77" />
        <source>Set the OPENAI_API_KEY environment variable before running.</source>
        <translation>运行前请先设置 OPENAI_API_KEY 环境变量。</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/codedialog.py" line="96" />
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
</context>
<context>
    <name>_ColumnRow</name>
    <message>
        <location filename="../../chatdesk/ui/rundialog.py" line="83" />
        <source>Parameters…</source>
        <translation>参数…</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/rundialog.py" line="85" />
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/rundialog.py" line="96" />
        <source>Model of column %1</source>
        <translation>第 %1 列的模型</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/rundialog.py" line="98" />
        <source>Parameters of column %1</source>
        <translation>第 %1 列的参数</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/rundialog.py" line="100" />
        <source>Remove column %1</source>
        <translation>移除第 %1 列</translation>
    </message>
</context>
<context>
    <name>_Help</name>
    <message>
        <location filename="../../chatdesk/ui/helpmenu.py" line="28" />
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/helpmenu.py" line="30" />
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/helpmenu.py" line="33" />
        <source>Open data folder</source>
        <translation>打开数据文件夹</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/helpmenu.py" line="36" />
        <source>About ChatDesk</source>
        <translation>关于 ChatDesk</translation>
    </message>
</context>
<context>
    <name>_KeyField</name>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="72" />
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="77" />
        <location filename="../../chatdesk/ui/settings.py" line="89" />
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="79" />
        <source>Show or hide the key you are typing</source>
        <translation>显示或隐藏正在输入的密钥</translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="89" />
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
</context>
<context>
    <name>_Thumbnail</name>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="182" />
        <location filename="../../chatdesk/ui/composer.py" line="183" />
        <source>Remove {0}</source>
        <translation>移除 {0}</translation>
    </message>
</context>
<context>
    <name>chat</name>
    <message>
        <location filename="../../chatdesk/ctl/chat.py" line="400" />
        <source>Running %1…</source>
        <translation>正在运行 %1…</translation>
    </message>
</context>
<context>
    <name>runs</name>
    <message>
        <location filename="../../chatdesk/ctl/comparerun.py" line="162" />
        <source>Running %1…</source>
        <translation>正在运行 %1…</translation>
    </message>
</context>
</TS>