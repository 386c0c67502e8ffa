"""Every UI string in English and Chinese, in one table; `t(key, lang, **fmt)` looks one up."""

from __future__ import annotations

LANGS = ("en", "zh")
LANG_NAMES = {"en": "English", "zh": "中文"}

STRINGS: dict[str, dict[str, str]] = {
    # app and navigation
    "app_title": {"en": "Backprop Tutor", "zh": "反向传播导师"},
    "page_step": {"en": "Step through", "zh": "逐步演算"},
    "page_check": {"en": "Check my work", "zh": "检查我的演算"},
    "page_about": {"en": "About", "zh": "关于"},
    "language": {"en": "Language", "zh": "语言"},
    "present": {"en": "Presentation mode", "zh": "演示模式"},
    "present_help": {"en": "Hide the editors and the sidebar, enlarge the formula and the diagram (also ?present=1).",
                     "zh": "隐藏编辑区和侧边栏，放大公式和网络图（也可用 ?present=1）。"},
    # notices about the URL
    "bad_lang": {"en": "Unknown language '{value}' in the link; showing English.",
                 "zh": "链接里的语言“{value}”无法识别，改用英文显示。"},
    "bad_present": {"en": "'present={value}' in the link is not 1 or 0; presentation mode is off.",
                    "zh": "链接里的“present={value}”不是 1 或 0，演示模式保持关闭。"},
    "bad_preset": {"en": "There is no preset '{value}'; showing {fallback} instead.",
                   "zh": "没有名为“{value}”的预设，改为显示 {fallback}。"},
    "bad_step": {"en": "This network has no step '{value}' (use a step id or a number from 1 to {count}); "
                       "showing step 1.",
                 "zh": "这个网络没有步骤“{value}”（请用步骤编号或 1 到 {count} 之间的序号），改为显示第 1 步。"},
    # sidebar
    "preset": {"en": "Network", "zh": "网络"},
    "preset_help": {"en": "The five lecture notes and a few more networks.", "zh": "五份讲义笔记的例子，以及其他几个网络。"},
    "display": {"en": "Display", "zh": "显示"},
    "precision": {"en": "Numbers", "zh": "数值精度"},
    "precision_auto": {"en": "exact (up to 10 digits)", "zh": "精确（最多 10 位有效数字）"},
    "precision_decimals": {"en": "{n} decimals", "zh": "保留 {n} 位小数"},
    "precision_significant": {"en": "{n} significant digits", "zh": "{n} 位有效数字"},
    "mul": {"en": "Multiplication sign", "zh": "乘号"},
    "downloads": {"en": "Download", "zh": "下载"},
    "dl_markdown": {"en": "Worked solution (Markdown)", "zh": "完整解答（Markdown）"},
    "dl_latex": {"en": "Worked solution (LaTeX)", "zh": "完整解答（LaTeX）"},
    "dl_csv": {"en": "Every step (CSV)", "zh": "所有步骤（CSV）"},
    "dl_config": {"en": "Network config (JSON)", "zh": "网络配置（JSON）"},
    "upload": {"en": "Open a config (JSON)", "zh": "打开配置文件（JSON）"},
    "upload_ok": {"en": "Opened {name}.", "zh": "已打开 {name}。"},
    "upload_bad": {"en": "{name} was not opened: {error}", "zh": "没有打开 {name}：{error}"},
    "upload_not_text": {"en": "the file is not UTF-8 text", "zh": "文件不是 UTF-8 文本"},
    # the page header
    "edited": {"en": "edited", "zh": "已修改"},
    "uploaded": {"en": "opened from a file", "zh": "来自文件"},
    "about_example": {"en": "About this example", "zh": "关于这个例子"},
    "source_note": {"en": "Reproduces the note {source}.", "zh": "对应笔记 {source}。"},
    "edited_link": {"en": "The link shares the preset and the step, not your edits: download the config to share them.",
                    "zh": "链接只记录预设和步骤，不包含你的修改；要分享修改，请下载配置文件。"},
    # the stepper
    "first": {"en": "First", "zh": "第一步"},
    "previous": {"en": "Previous", "zh": "上一步"},
    "next": {"en": "Next", "zh": "下一步"},
    "last": {"en": "Last", "zh": "最后一步"},
    "jump": {"en": "Jump to", "zh": "跳到"},
    "phase_forward": {"en": "Forward", "zh": "前向传播"},
    "phase_loss": {"en": "Error", "zh": "误差"},
    "phase_backward": {"en": "Backward", "zh": "反向传播"},
    "phase_update": {"en": "Update", "zh": "更新"},
    "phase_check": {"en": "Check", "zh": "检验"},
    "counter": {"en": "Step {n} / {total}", "zh": "第 {n} 步 / 共 {total} 步"},
    "step_id": {"en": "step id", "zh": "步骤编号"},
    "history": {"en": "Steps so far", "zh": "已完成的步骤"},
    "values": {"en": "Values so far (latest first)", "zh": "已算出的数值（最新在前）"},
    "col_n": {"en": "#", "zh": "#"},
    "col_symbol": {"en": "quantity", "zh": "量"},
    "col_phase": {"en": "phase", "zh": "阶段"},
    "col_value": {"en": "value", "zh": "数值"},
    "matrix_view": {"en": "Matrix form (layer by layer)", "zh": "矩阵形式（逐层）"},
    "diagram_help": {"en": "Click a neuron or a weight to jump to its step. Keys: ← → Home End.",
                     "zh": "点击神经元或权重可跳到对应步骤。快捷键：← → Home End。"},
    "diagram_negative": {"en": "gradient < 0 (weight grows)", "zh": "梯度 < 0（权重变大）"},
    "diagram_positive": {"en": "gradient > 0 (weight shrinks)", "zh": "梯度 > 0（权重变小）"},
    "diagram_target": {"en": "target", "zh": "目标"},
    "diagram_error": {"en": "error", "zh": "误差"},
    # the editors
    "editor": {"en": "Build or edit the network", "zh": "搭建或修改网络"},
    "reset": {"en": "Reset to preset", "zh": "恢复预设"},
    "structure": {"en": "Structure", "zh": "结构"},
    "inputs": {"en": "Inputs", "zh": "输入个数"},
    "layers": {"en": "Layers after the input", "zh": "输入之后的层数"},
    "layer_n": {"en": "Layer {n}", "zh": "第 {n} 层"},
    "layer_output": {"en": "Layer {n} (output)", "zh": "第 {n} 层（输出）"},
    "neurons": {"en": "Neurons", "zh": "神经元个数"},
    "activation": {"en": "Activation", "zh": "激活函数"},
    "bias_mode": {"en": "Bias", "zh": "偏置"},
    "bias_none": {"en": "none", "zh": "无"},
    "bias_shared": {"en": "one shared", "zh": "共用一个"},
    "bias_per_neuron": {"en": "one per neuron", "zh": "每个神经元一个"},
    "bias_col": {"en": "bias", "zh": "偏置"},
    "shared_bias": {"en": "Shared bias {symbol}", "zh": "共用偏置 {symbol}"},
    "training": {"en": "Loss and update", "zh": "损失与更新"},
    "loss": {"en": "Loss", "zh": "损失函数"},
    "reduction": {"en": "Batch", "zh": "批处理"},
    "reduction_mean": {"en": "mean over the samples", "zh": "对样本取平均"},
    "reduction_sum": {"en": "sum over the samples", "zh": "对样本求和"},
    "learning_rate": {"en": "Learning rate {symbol}", "zh": "学习率 {symbol}"},
    "round_to": {"en": "Hand rounding", "zh": "手算取整"},
    "round_none": {"en": "none (exact)", "zh": "不取整（精确）"},
    "round_n": {"en": "round every output to {n} decimals", "zh": "每个输出保留 {n} 位小数"},
    "update_order": {"en": "Update order", "zh": "更新顺序"},
    "order_after_all_gradients": {"en": "after all gradients", "zh": "先求出所有梯度再更新"},
    "order_after_each_gradient": {"en": "right after each gradient", "zh": "每求出一个梯度就更新"},
    "weights": {"en": "Weights", "zh": "权重"},
    "weights_help": {"en": "Row = the neuron the weight feeds; column = the neuron it comes from.",
                     "zh": "行：权重连到的神经元；列：权重来自的神经元。"},
    "samples": {"en": "Samples", "zh": "样本"},
    "samples_n": {"en": "Number of samples", "zh": "样本个数"},
    "samples_help": {"en": "One row per sample: its inputs, then its targets.", "zh": "每行一个样本：先是输入，再是目标值。"},
    "sample_n": {"en": "sample {n}", "zh": "样本 {n}"},
    # bad input
    "bad_input": {"en": "This edit is not used yet, so the last valid network stays on screen:",
                  "zh": "这次修改还不能使用，页面继续显示上一个有效的网络："},
    "bad_input_short": {"en": "An edit has a problem (see “Build or edit the network”); showing the last valid network.",
                        "zh": "修改有问题（见“搭建或修改网络”），当前显示的是上一个有效的网络。"},
    "err_cell_empty": {"en": "{where}: the cell is empty", "zh": "{where}：单元格是空的"},
    "err_cell_text": {"en": "{where}: '{text}' is not a number", "zh": "{where}：“{text}”不是数字"},
    "err_config": {"en": "{error}", "zh": "配置有误：{error}"},
    "where_weight": {"en": "{layer}, weight {symbol}", "zh": "{layer}，权重 {symbol}"},
    "where_bias": {"en": "{layer}, bias {symbol}", "zh": "{layer}，偏置 {symbol}"},
    "where_sample": {"en": "sample {n}, {symbol}", "zh": "样本 {n}，{symbol}"},
    "where_lr": {"en": "learning rate", "zh": "学习率"},
    # the about page
    "about_intro": {
        "en": "Backprop Tutor walks through **one iteration of gradient descent** on a small neural network, one "
              "number at a time, the way the lecture notes do it by hand: the forward pass, the error, the "
              "backward pass (the chain rule, factor by factor), the update of every weight and bias, and a "
              "second forward pass that checks the error went down. Every number on screen comes from the "
              "engine's trace; nothing is typed in by hand.",
        "zh": "反向传播导师带你在一个小型神经网络上完整走一遍**梯度下降的一次迭代**，一次一个数，和讲义里手算的方式"
              "一样：前向传播、误差、反向传播（链式法则，一个因子一个因子地乘）、更新每个权重和偏置，最后再做一次"
              "前向传播，验证误差确实变小了。屏幕上的每个数都来自计算引擎的记录，没有一个是手工填写的。"},
    "about_notes": {"en": "The lecture notes", "zh": "讲义笔记"},
    "about_notes_intro": {
        "en": "Each note's preset uses the note's network, starting numbers, order of steps and symbols. Where a "
              "note has an arithmetic slip, the tutor shows the correct value.",
        "zh": "每份笔记对应的预设都使用笔记里的网络、初始数值、步骤顺序和符号。笔记中个别计算笔误之处，导师给出的是正确的数值。"},
    "col_preset": {"en": "preset", "zh": "预设"},
    "col_title": {"en": "what it works through", "zh": "内容"},
    "col_source": {"en": "source file", "zh": "来源文件"},
    "about_notation": {"en": "Notation", "zh": "符号"},
    "about_notation_md": {
        "en": "A preset uses its note's own symbols ($w_5$, $h_1$, $y$, $t$, $E$, $\\eta$, $w_h$, $b_o$, ...). "
              "A network you build uses the standard notation:\n\n"
              "| symbol | meaning |\n|---|---|\n"
              "| $x_k$, $t_j$ | input $k$, target of output $j$ |\n"
              "| $w^{(l)}_{jk}$ | the weight from neuron $k$ of layer $l-1$ into neuron $j$ of layer $l$ |\n"
              "| $b^{(l)}_{j}$, $b^{(l)}$ | the bias of neuron $j$; a bias shared by the whole layer |\n"
              "| $z^{(l)}_{j} = \\sum_k w^{(l)}_{jk} a^{(l-1)}_k + b^{(l)}_j$ | the weighted sum |\n"
              "| $a^{(l)}_{j} = \\varphi(z^{(l)}_{j})$ | the neuron's output (layer 0: the inputs) |\n"
              "| $\\delta^{(l)}_{j} = \\frac{\\partial E}{\\partial z^{(l)}_{j}}$ | the neuron's error signal |\n"
              "| $E$, $\\eta$ | the error (loss), the learning rate |\n"
              "| $w^{+} = w - \\eta \\frac{\\partial E}{\\partial w}$ | the updated weight |\n"
              "| $a[2]$, $E_{2}$ | in a batch: sample 2's value, sample 2's error |",
        "zh": "预设使用对应笔记自己的符号（$w_5$、$h_1$、$y$、$t$、$E$、$\\eta$、$w_h$、$b_o$ ……）。"
              "自己搭建的网络使用标准符号：\n\n"
              "| 符号 | 含义 |\n|---|---|\n"
              "| $x_k$、$t_j$ | 第 $k$ 个输入、第 $j$ 个输出的目标值 |\n"
              "| $w^{(l)}_{jk}$ | 从第 $l-1$ 层第 $k$ 个神经元连到第 $l$ 层第 $j$ 个神经元的权重 |\n"
              "| $b^{(l)}_{j}$、$b^{(l)}$ | 第 $j$ 个神经元的偏置；整层共用的偏置 |\n"
              "| $z^{(l)}_{j} = \\sum_k w^{(l)}_{jk} a^{(l-1)}_k + b^{(l)}_j$ | 加权和 |\n"
              "| $a^{(l)}_{j} = \\varphi(z^{(l)}_{j})$ | 神经元的输出（第 0 层即输入） |\n"
              "| $\\delta^{(l)}_{j} = \\frac{\\partial E}{\\partial z^{(l)}_{j}}$ | 神经元的误差信号 |\n"
              "| $E$、$\\eta$ | 误差（损失）、学习率 |\n"
              "| $w^{+} = w - \\eta \\frac{\\partial E}{\\partial w}$ | 更新后的权重 |\n"
              "| $a[2]$、$E_{2}$ | 批处理中：第 2 个样本的值、第 2 个样本的误差 |"},
    "about_use": {"en": "How to use it", "zh": "使用方法"},
    "about_use_md": {
        "en": "- **Choose a network** in the sidebar: one of the notes or another preset.\n"
              "- **Step** with Previous / Next / First / Last, or jump to a phase: forward, error, backward, "
              "update, check. The current step is written large, with a one-line explanation; warnings mark the "
              "places where learners often slip.\n"
              "- **The diagram** shows each neuron's value so far and each weight. The current step's chain is "
              "highlighted in orange; after the backward pass the edges are coloured by their gradient. "
              "Click a neuron or a weight to jump to its step.\n"
              "- **Build your own** in “Build or edit the network”: layers, neurons, activations, loss, biases, "
              "learning rate, hand rounding, samples, and every weight. A cell that is not a number is named in "
              "a message and the last valid network stays on screen. Open or download the config as JSON.\n"
              "- **Download** the worked solution as Markdown, LaTeX or CSV.\n"
              "- **Presentation mode** hides everything but the stepper and enlarges it for a classroom.\n"
              "- **Share a step**: the address bar always holds the network and the step, e.g. "
              "`?preset=note000&step=dE_dw:l2:n1:k1&lang=zh` (a step id, or its number: `step=7`). "
              "Add `present=1` for presentation mode.",
        "zh": "- 在侧边栏**选择网络**：任一份笔记的例子或其他预设。\n"
              "- 用“上一步 / 下一步 / 第一步 / 最后一步”**逐步演算**，或直接跳到某个阶段：前向传播、误差、反向传播、"
              "更新、检验。当前步骤以大字显示，并附一句说明；学习者容易出错的地方会有提醒。\n"
              "- **网络图**显示每个神经元目前算出的值和每个权重。当前步骤所在的链路以橙色高亮；反向传播结束后，"
              "连线按梯度着色。点击神经元或权重即可跳到对应步骤。\n"
              "- 在“搭建或修改网络”里**自己搭建**：层数、神经元个数、激活函数、损失函数、偏置、学习率、手算取整、"
              "样本以及每个权重。不是数字的单元格会在提示中指出，页面继续显示上一个有效的网络。配置可以用 JSON "
              "打开或下载。\n"
              "- **下载**完整解答：Markdown、LaTeX 或 CSV。\n"
              "- **演示模式**只保留逐步演算部分并放大，适合课堂投影。\n"
              "- **分享某一步**：地址栏始终记录当前网络和步骤，例如 "
              "`?preset=note000&step=dE_dw:l2:n1:k1&lang=zh`（步骤编号，或序号：`step=7`）。"
              "加上 `present=1` 即进入演示模式。"},
    "about_keys": {"en": "Keyboard shortcuts", "zh": "快捷键"},
    "about_keys_md": {
        "en": "| key | action |\n|---|---|\n| → (Right) | next step |\n| ← (Left) | previous step |\n"
              "| Home | first step |\n| End | last step |\n\n"
              "The keys work whenever the cursor is not in a text field or a table cell.",
        "zh": "| 按键 | 作用 |\n|---|---|\n| →（右方向键） | 下一步 |\n| ←（左方向键） | 上一步 |\n"
              "| Home | 第一步 |\n| End | 最后一步 |\n\n"
              "光标不在文本框或表格单元格中时，快捷键都有效。"},
    "about_colours": {"en": "Colours", "zh": "颜色"},
    "about_colours_md": {
        "en": "Orange: the current step's chain. After the backward pass: blue edges have a negative gradient "
              "(the weight will grow), vermillion edges a positive one (it will shrink); thicker means larger. "
              "The palette (Okabe–Ito) stays distinguishable with the common forms of colour blindness.",
        "zh": "橙色：当前步骤所在的链路。反向传播结束后：蓝色连线的梯度为负（权重将变大），朱红色连线的梯度为正"
              "（权重将变小）；线越粗，梯度越大。这套配色（Okabe–Ito）对常见的色觉差异也易于分辨。"},
    # the check page (placeholder)
    "check_coming": {"en": "The self-check is coming: enter your own hand calculation and the tutor marks each "
                           "number, follows errors carried forward, and names the likely mistake.",
                     "zh": "自我检查功能即将上线：输入你手算的结果，导师会逐个批改，识别由前面错误带来的后续错误，"
                           "并指出最可能的错误原因。"},
}


def t(key: str, lang: str, **fmt) -> str:
    """The string `key` in `lang` (English when missing), with `{name}` fields filled from `fmt`."""
    entry = STRINGS[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**fmt) if fmt else text
